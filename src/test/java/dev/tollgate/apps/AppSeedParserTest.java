package dev.tollgate.apps;

import dev.tollgate.apps.AppSeedParser.SeedLine;
import dev.tollgate.local.DevConfig;
import io.smallrye.config.WithDefault;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seed file format, without a database. */
class AppSeedParserTest {

    private static final String HEADER = "appId,displayName,businessUnit,costCenter,ownerContact,tags\n";

    @Test
    void readsEveryColumnWithQuotedValuesAndTags() {
        List<SeedLine> apps = parse(HEADER
                + "a1,Checkout,Retail,CC-1,team@contoso.example,env=prod;project=Atlas\n"
                + "a2,\"Contoso \"\"Blue\"\", Inc.\",\"Customer Service, EMEA\",CC-2,,\n"
                + "a3,  Spaces around  , BU ,CC-3, , env = test ; url=https://x.example/?a=b ;\n");
        assertThat(apps).containsExactly(
                new SeedLine(2, new RegisteredApp("a1", "Checkout", "Retail", "CC-1", "team@contoso.example",
                        Map.of("env", "prod", "project", "Atlas"))),
                new SeedLine(3, new RegisteredApp("a2", "Contoso \"Blue\", Inc.", "Customer Service, EMEA", "CC-2",
                        null, Map.of())),
                new SeedLine(4, new RegisteredApp("a3", "Spaces around", "BU", "CC-3", null,
                        Map.of("env", "test", "url", "https://x.example/?a=b"))));
    }

    @Test
    void toleratesWhatSpreadsheetsAndPeopleWrite() {
        String text = "\uFEFF# Apps of the platform team\r\n"
                + "\r\n"
                + "CostCenter , APPID,displayname,BusinessUnit\r\n" // any order and letter case, optional columns left out
                + "CC-1,a1,One,BU\r\n"
                + ",,,\r\n"
                + "# a1 above is the pilot\r\n"
                + "CC-2,a2,Two,BU,,,\r\n" // trailing empty values
                + "CC-3,a3,Three,BU"; // no line end at the end
        assertThat(parse(text)).containsExactly(
                new SeedLine(4, new RegisteredApp("a1", "One", "BU", "CC-1", null, null)),
                new SeedLine(7, new RegisteredApp("a2", "Two", "BU", "CC-2", null, null)),
                new SeedLine(8, new RegisteredApp("a3", "Three", "BU", "CC-3", null, null)));
    }

    @Test
    void aRowMayLeaveOutTrailingOptionalValues() {
        assertThat(parse(HEADER + "a1,One,BU,CC-1\n")).containsExactly(
                new SeedLine(2, new RegisteredApp("a1", "One", "BU", "CC-1", null, null)));
    }

    @Test
    void aHeaderAloneIsAnEmptyRegistry() {
        assertThat(parse(HEADER)).isEmpty();
    }

    @Test
    void aQuotedLineBreakIsCountedAndRejectedOnTheRowItStarts() {
        // Tags may wrap inside quotes (spaces and line breaks around pairs are dropped); lines are still counted.
        assertThat(parse(HEADER + "a1,One,BU,CC-1,,\"env=prod;\nproject=Atlas\"\na2,Two,BU,CC-2\n"))
                .containsExactly(
                        new SeedLine(2, new RegisteredApp("a1", "One", "BU", "CC-1", null,
                                Map.of("env", "prod", "project", "Atlas"))),
                        new SeedLine(4, new RegisteredApp("a2", "Two", "BU", "CC-2", null, null)));
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1,,\"env=prod;\nproject=Atlas\"\na2,,BU,CC-2\n"))
                .hasMessage("App seed file test.csv, line 4: app 'a2': displayName is required and must not be blank.");
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1\na2,\"Two\nlines\",BU,CC-2\n"))
                .hasMessage("App seed file test.csv, line 3: app 'a2': displayName contains a control character "
                        + "(tab, line break, …) at position 4.");
    }

    @Test
    void aMissingRequiredValueNamesTheLineAndTheApp() {
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1\n\n# comment\na2,Two,BU,\n"))
                .isInstanceOf(AppSeedException.class)
                .hasMessage("App seed file test.csv, line 5: app 'a2': costCenter is required and must not be blank.");
        assertThatThrownBy(() -> parse(HEADER + ",One,BU,CC-1\n"))
                .hasMessage("App seed file test.csv, line 2: appId is required and must not be blank.");
    }

    @Test
    void badQuotingNamesTheLine() {
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1\na2,\"Two,BU,CC-2\na3,Three,BU,CC-3\n"))
                .hasMessage("App seed file test.csv, line 3: a value opened with a double quote is never closed.");
        assertThatThrownBy(() -> parse(HEADER + "a1,\"One\" Two,BU,CC-1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 2: text after the closing double quote");
        assertThatThrownBy(() -> parse(HEADER + "a1,5\" screen,BU,CC-1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 2: a double quote inside a value");
    }

    @Test
    void linesAreCountedThroughALongFile() {
        // Far more than the CSV reader buffers at once, with a quoted line break in every row.
        StringBuilder text = new StringBuilder(HEADER);
        for (int i = 0; i < 1000; i++) {
            text.append("app-").append(i).append(",One,BU,CC-1,,\"env=prod;\r\nproject=Atlas\"\r\n");
        }
        assertThat(parse(text.toString())).hasSize(1000).last().extracting(SeedLine::line).isEqualTo(1000 * 2);
        assertThatThrownBy(() -> parse(text + "a-last,5\" screen,BU,CC-1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 2002: a double quote inside a value");
    }

    @Test
    void anUnquotedCommaShowsAsAnExtraValue() {
        assertThatThrownBy(() -> parse(HEADER + "a1,Contoso, Inc.,BU,CC-1,,env=prod\n"))
                .hasMessage("App seed file test.csv, line 2: a value in column 7, which the header does not name "
                        + "(7 values, 6 columns). A value with a comma must be enclosed in double quotes.");
    }

    @Test
    void badTagsNameTheLine() {
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1,,env\n"))
                .hasMessage("App seed file test.csv, line 2: tag 'env' is not key=value (tags are written "
                        + "key=value;key=value).");
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1,,env=a;env=b\n"))
                .hasMessage("App seed file test.csv, line 2: tag 'env' appears twice.");
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1,,cost center=1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 2: app 'a1': Tag key 'cost center' is invalid");
    }

    @Test
    void anAppTwiceNamesBothLines() {
        assertThatThrownBy(() -> parse(HEADER + "a1,One,BU,CC-1\na2,Two,BU,CC-2\na1,Again,BU,CC-1\n"))
                .hasMessage("App seed file test.csv, line 4: app 'a1' is already on line 2.");
    }

    @Test
    void aBadHeaderIsReported() {
        assertThatThrownBy(() -> parse(""))
                .hasMessageStartingWith("App seed file test.csv, line 1: the file is empty");
        assertThatThrownBy(() -> parse("# only a comment\n"))
                .hasMessageStartingWith("App seed file test.csv, line 2: the file is empty");
        assertThatThrownBy(() -> parse("appId,displayName,businessUnit,costCentre\n"))
                .hasMessage("App seed file test.csv, line 1: unknown column 'costCentre' in the header; the columns "
                        + "are appId, displayName, businessUnit, costCenter, ownerContact, tags.");
        assertThatThrownBy(() -> parse("appId,displayName,costCenter\n"))
                .hasMessage("App seed file test.csv, line 1: the header lacks the column businessUnit; it must name "
                        + "at least appId,displayName,businessUnit,costCenter.");
        assertThatThrownBy(() -> parse("appId,displayName,businessUnit,costCenter,appid\n"))
                .hasMessage("App seed file test.csv, line 1: column appId appears twice in the header.");
        assertThatThrownBy(() -> parse("appId;displayName;businessUnit;costCenter\na1;One;BU;CC-1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 1: the header must be comma-separated");
        assertThatThrownBy(() -> parse("a1,One,BU,CC-1\n"))
                .hasMessageStartingWith("App seed file test.csv, line 1: unknown column 'a1' in the header");
    }

    @Test
    void theShippedFilesParse() throws Exception {
        String example = Files.readString(Path.of("deployment/apps.example.csv"));
        assertThat(AppSeedParser.parse("deployment/apps.example.csv", example)).hasSize(3);

        // The dev run seeds the app its banner's tokens carry, so the quick start shows a registered app.
        String devAppId = DevConfig.class.getMethod("appId").getAnnotation(WithDefault.class).value();
        try (InputStream dev = getClass().getResourceAsStream("/dev/apps.csv")) {
            assertThat(AppSeedParser.parse("dev/apps.csv", new String(dev.readAllBytes(), StandardCharsets.UTF_8)))
                    .extracting(line -> line.app().appId()).contains(devAppId);
        }
    }

    private static List<SeedLine> parse(String text) {
        return AppSeedParser.parse("test.csv", text);
    }
}
