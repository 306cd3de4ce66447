package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal's line format, written and read back: every field of a record and of an opened request exactly, whatever
 * the strings hold (tabs, line breaks, backslashes, the null marker itself, NUL, any Unicode, lone surrogates), and a
 * file cut anywhere in its last line gives the lines before it.
 */
class JournalFormatTest {

    /** Strings a caller, a token or a backend could put in a field. */
    private static final List<String> HOSTILE = List.of("", "plain", "tab\there", "line\nfeed", "carriage\rreturn",
            "back\\slash", "\\", "\\N", "N", "\\t", "ends with backslash\\", "nul\0char", "\0",
            "caf\u00e9 \u00fc\u00df", "\u4e2d\u6587\u6a21\u578b", "emoji \ud83d\ude80 pair", "lone high \ud800",
            "lone low \udc00 here", "\udc00\ud800", "\ud83d", "bell\u0007and\u001f", "\u2028\u2029\ufeff\uffff",
            "quote\"and'{json}", "\t\n\r\\\0");

    @TempDir
    Path directory;

    private final JournalFormat format = new JournalFormat();

    @Test
    void aRecordReadsBackExactlyWhateverItsStringsHold() throws IOException {
        List<UsageRecord> written = new ArrayList<>();
        for (int i = 0; i < HOSTILE.size(); i++) {
            String text = HOSTILE.get(i);
            String other = HOSTILE.get((i + 7) % HOSTILE.size());
            written.add(new UsageRecord(UUID.randomUUID(), Instant.ofEpochSecond(1_733_500_000L + i, 123_456_789 + i),
                    text, other, text, other, text, other, DeploymentType.values()[i % 3], text, i % 2 == 0,
                    200 + i, i * 1000, i, new Usage(i, 2L * i, 3L * i, 4L * i, 5L * i,
                    UsageSource.values()[i % UsageSource.values().length]), other, text, i % 2 == 1, other));
        }
        // Every nullable field null at once, the extremes of every number, an instant before 1970.
        written.add(new UsageRecord(new UUID(0, 0), Instant.ofEpochSecond(-86_400, 999_999_999), null, null, null,
                null, null, null, null, null, false, Integer.MIN_VALUE, Integer.MAX_VALUE, 0,
                new Usage(Long.MAX_VALUE, 0, Long.MIN_VALUE, -1, 0, UsageSource.INTERRUPTED), null, null, false, null));
        written.add(new UsageRecord(new UUID(-1, -1), Instant.EPOCH, "a", "b", "c", "d", "e", "f",
                DeploymentType.DATA_ZONE, "g", true, 0, 0, 1, Usage.missing(), "h", "i", true, "j"));

        JournalLines lines = new JournalLines(16);
        written.forEach(record -> format.appendRecorded(lines, record));
        List<UsageRecord> read = new ArrayList<>();
        format.read(write(lines), opened -> { }, read::add);

        assertThat(read).containsExactlyElementsOf(written);
    }

    @Test
    void anOpenedRequestReadsBackExactlyWhateverItsStringsHold() throws IOException {
        List<OpenedRequest> written = new ArrayList<>();
        for (int i = 0; i < HOSTILE.size(); i++) {
            String text = HOSTILE.get(i);
            String other = HOSTILE.get((i + 5) % HOSTILE.size());
            written.add(new OpenedRequest(UUID.randomUUID(), Instant.ofEpochSecond(1_733_500_000L, i * 1001), text,
                    other, text, other, text, i % 2 == 0, other, text, DeploymentType.values()[i % 3], other,
                    i % 3 == 0, i * 1_000_003L));
        }
        written.add(new OpenedRequest(UUID.randomUUID(), Instant.ofEpochSecond(0, 1), null, null, null, null, null,
                false, null, null, null, null, false, 0));

        JournalLines lines = new JournalLines(16);
        written.forEach(opened -> format.appendOpened(lines, opened));
        List<OpenedRequest> read = new ArrayList<>();
        format.read(write(lines), read::add, record -> { });

        assertThat(read).containsExactlyElementsOf(written);
    }

    @Test
    void aFileCutAnywhereInItsLastLineGivesEveryLineBeforeIt() throws IOException {
        UsageRecord first = record("first \u00e9\ud83d\ude80");
        UsageRecord second = record("second\ttab");
        UsageRecord last = record("last \u4e2d\u6587\nline");
        JournalLines lines = new JournalLines(64);
        format.appendRecorded(lines, first);
        format.appendRecorded(lines, second);
        int complete = lines.length();
        format.appendRecorded(lines, last);
        byte[] bytes = Arrays.copyOf(lines.buffer().array(), lines.length());

        // Every cut of the last line, its final line feed included (a line without it was never complete).
        for (int cut = complete; cut < bytes.length; cut++) {
            Path file = Files.write(directory.resolve("cut-" + cut + ".journal"), Arrays.copyOf(bytes, cut));
            List<UsageRecord> read = new ArrayList<>();
            format.read(file, opened -> { }, read::add);
            assertThat(read).as("cut at byte %d of %d", cut, bytes.length).containsExactly(first, second);
        }
        List<UsageRecord> whole = new ArrayList<>();
        format.read(Files.write(directory.resolve("whole.journal"), bytes), opened -> { }, whole::add);
        assertThat(whole).containsExactly(first, second, last);
    }

    @Test
    void aLineOfAnotherLayoutOrDamagedIsSkippedAndTheRestRead() throws IOException {
        UsageRecord before = record("before");
        UsageRecord after = record("after");
        JournalLines lines = new JournalLines(64);
        format.appendRecorded(lines, before);
        String good = new String(lines.buffer().array(), 0, lines.length(), StandardCharsets.UTF_8);
        lines.clear();
        format.appendRecorded(lines, after);
        String next = new String(lines.buffer().array(), 0, lines.length(), StandardCharsets.UTF_8);
        String damaged = good.substring(0, good.length() - 1).replaceFirst("\t200\t", "\ttwo hundred\t") + "\n";
        Path file = Files.writeString(directory.resolve("mixed.journal"), good
                + "R{\"id\":\"" + UUID.randomUUID() + "\"}\n" // the JSON lines of an unreleased build
                + "R2\tfrom\ta\tlater\tbuild\n"
                + damaged
                + "O1\ttoo\tfew\n"
                + "\n"
                + next, StandardCharsets.UTF_8);

        List<UsageRecord> read = new ArrayList<>();
        format.read(file, opened -> { }, read::add);

        assertThat(damaged).isNotEqualTo(good);
        assertThat(read).containsExactly(before, after);
    }

    private Path write(JournalLines lines) throws IOException {
        return Files.write(directory.resolve(UUID.randomUUID() + ".journal"),
                Arrays.copyOf(lines.buffer().array(), lines.length()));
    }

    private static UsageRecord record(String appId) {
        return new UsageRecord(UUID.randomUUID(), Instant.ofEpochSecond(1_733_500_000L, 5), appId, "tenant", "gpt-4o",
                "gpt-4o-2024-08-06", "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", true, 200,
                812, 1, new Usage(40, 0, 12, 0, 52, UsageSource.REPORTED), "apim-1", null, false, null);
    }
}
