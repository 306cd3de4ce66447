package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The journal's lines: tab-separated fields in a fixed order (see {@link JournalLines} for the escaping), one entry per
 * line, opened by its kind and the version of its layout: {@code O1} an {@link OpenedRequest} (a request sent to a
 * backend), {@code R1} a {@link UsageRecord} (a record made). Written field by field into bytes, so that journalling a
 * record allocates nothing per request. A line the process was killed while writing (the last of a file, without its
 * line feed) is skipped: it was never synced, so nothing was promised about it. A line of a layout this build does not
 * know is skipped with a warning. A file's lines end at its end or where a line would begin with a zero byte: the
 * zeros a segment is grown by ahead of its lines ({@link JournalSegment}); no line begins with one.
 */
@Singleton
class JournalFormat {

    private static final Logger LOG = Logger.getLogger(JournalFormat.class);
    static final char OPENED = 'O';
    static final char RECORDED = 'R';
    /** The layout of the fields below; a new layout gets a new version, read beside the old one. */
    static final char VERSION = '1';
    private static final int OPENED_FIELDS = 15;
    private static final int RECORDED_FIELDS = 25;

    void appendOpened(JournalLines lines, OpenedRequest opened) {
        lines.begin(OPENED, VERSION).field(opened.id()).field(opened.occurredAt().getEpochSecond())
                .field(opened.occurredAt().getNano()).field(opened.appId()).field(opened.tenantId())
                .field(opened.userId()).field(opened.deployment()).field(opened.model()).field(opened.modelInferred())
                .field(opened.backendId()).field(opened.region()).field(opened.deploymentType())
                .field(opened.operation()).field(opened.stream()).field(opened.promptTokens())
                .end();
    }

    void appendRecorded(JournalLines lines, UsageRecord record) {
        Usage usage = record.usage();
        lines.begin(RECORDED, VERSION).field(record.id()).field(record.occurredAt().getEpochSecond())
                .field(record.occurredAt().getNano()).field(record.appId()).field(record.tenantId())
                .field(record.deployment()).field(record.model()).field(record.backendId()).field(record.region())
                .field(record.deploymentType()).field(record.operation()).field(record.stream())
                .field(record.status()).field(record.latencyMs()).field(record.attempts())
                .field(usage.inputTokens()).field(usage.cachedInputTokens()).field(usage.outputTokens())
                .field(usage.reasoningTokens()).field(usage.totalTokens()).field(usage.source())
                .field(record.upstreamRequestId()).field(record.userId()).field(record.modelInferred())
                .field(record.limitedBy())
                .end();
    }

    /** Every complete entry of the file, in order, up to its end or the zeros written ahead of its lines. */
    void read(Path file, Consumer<OpenedRequest> opened, Consumer<UsageRecord> recorded) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = 0;
        while (start < content.length && content[start] != 0) {
            int end = start;
            while (end < content.length && content[end] != JournalLines.END) {
                end++;
            }
            if (end == content.length) {
                LOG.warnf("Skipped an incomplete journal line in %s (written when the process stopped)", file);
                return;
            }
            try {
                readLine(new Fields(content, start, end), opened, recorded);
            } catch (RuntimeException e) {
                LOG.warnf("Skipped an unreadable journal line in %s: %s", file, e.toString());
            }
            start = end + 1;
        }
    }

    private static void readLine(Fields line, Consumer<OpenedRequest> opened, Consumer<UsageRecord> recorded) {
        String head = line.head();
        if (head.isEmpty()) {
            return;
        }
        if (head.length() != 2 || head.charAt(1) != VERSION
                || head.charAt(0) != OPENED && head.charAt(0) != RECORDED) {
            throw new IllegalArgumentException("an entry of layout '" + head + "', not one of this build");
        }
        if (head.charAt(0) == OPENED) {
            line.expect(OPENED_FIELDS);
            opened.accept(new OpenedRequest(line.uuid(), line.instant(), line.string(), line.string(),
                    line.string(), line.string(), line.string(), line.bool(), line.string(), line.string(),
                    line.deploymentType(), line.string(), line.bool(), line.number()));
        } else {
            line.expect(RECORDED_FIELDS);
            UUID id = line.uuid();
            Instant occurredAt = line.instant();
            String appId = line.string();
            String tenantId = line.string();
            String deployment = line.string();
            String model = line.string();
            String backendId = line.string();
            String region = line.string();
            DeploymentType deploymentType = line.deploymentType();
            String operation = line.string();
            boolean stream = line.bool();
            int status = Math.toIntExact(line.number());
            int latencyMs = Math.toIntExact(line.number());
            int attempts = Math.toIntExact(line.number());
            Usage usage = new Usage(line.number(), line.number(), line.number(), line.number(), line.number(),
                    UsageSource.valueOf(line.string()));
            recorded.accept(new UsageRecord(id, occurredAt, appId, tenantId, deployment, model, backendId, region,
                    deploymentType, operation, stream, status, latencyMs, attempts, usage, line.string(),
                    line.string(), line.bool(), line.string()));
        }
    }

    /** The fields of one line, read in order. */
    private static final class Fields {

        private final byte[] content;
        private final int end;
        private int at;

        Fields(byte[] content, int start, int end) {
            this.content = content;
            this.end = end;
            this.at = start;
        }

        /** The line's kind and version: the bytes before its first tab. */
        String head() {
            return next();
        }

        /** The line holds exactly this many fields after its head. */
        void expect(int fields) {
            int count = 1;
            for (int i = at; i < end; i++) {
                if (content[i] == JournalLines.SEPARATOR) {
                    count++;
                }
            }
            if (count != fields) {
                throw new IllegalArgumentException(fields + " fields expected, " + count + " found");
            }
        }

        private String next() {
            if (at > end) {
                throw new IllegalArgumentException("a field is missing");
            }
            int from = at;
            while (at < end && content[at] != JournalLines.SEPARATOR) {
                at++;
            }
            String raw = new String(content, from, at - from, StandardCharsets.UTF_8);
            at++; // past the tab (or the end)
            return raw;
        }

        String string() {
            String raw = next();
            if (raw.indexOf('\\') < 0) {
                return raw;
            }
            if (raw.equals("\\N")) {
                return null;
            }
            StringBuilder text = new StringBuilder(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c != '\\') {
                    text.append(c);
                    continue;
                }
                char code = raw.charAt(++i);
                switch (code) {
                    case '\\' -> text.append('\\');
                    case 't' -> text.append('\t');
                    case 'n' -> text.append('\n');
                    case 'r' -> text.append('\r');
                    case 'u' -> {
                        text.append((char) Integer.parseInt(raw, i + 1, i + 5, 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + code);
                }
            }
            return text.toString();
        }

        long number() {
            return Long.parseLong(next());
        }

        boolean bool() {
            String raw = next();
            return switch (raw) {
                case "1" -> true;
                case "0" -> false;
                default -> throw new IllegalArgumentException("not a flag: " + raw);
            };
        }

        UUID uuid() {
            return UUID.fromString(next());
        }

        Instant instant() {
            long seconds = number();
            return Instant.ofEpochSecond(seconds, number());
        }

        DeploymentType deploymentType() {
            String name = string();
            return name == null ? null : DeploymentType.valueOf(name);
        }
    }
}
