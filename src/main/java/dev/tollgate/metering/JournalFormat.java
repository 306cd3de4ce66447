package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The journal's lines: {@code O} and an {@link OpenedRequest} as JSON for a request sent to a backend, {@code R} and a
 * {@link UsageRecord} as JSON for a record made. A line the process was killed while writing (the last of a file) is
 * incomplete JSON, and skipped: it was never synced, so nothing was promised about it.
 */
@Singleton
class JournalFormat {

    private static final Logger LOG = Logger.getLogger(JournalFormat.class);
    static final char OPENED = 'O';
    static final char RECORDED = 'R';

    private final ObjectWriter openWriter;
    private final ObjectWriter recordWriter;
    private final ObjectReader openReader;
    private final ObjectReader recordReader;

    JournalFormat(ObjectMapper mapper) {
        this.openWriter = mapper.writerFor(OpenedRequest.class);
        this.recordWriter = mapper.writerFor(UsageRecord.class);
        this.openReader = mapper.readerFor(OpenedRequest.class);
        this.recordReader = mapper.readerFor(UsageRecord.class);
    }

    void appendOpened(StringBuilder lines, OpenedRequest opened) {
        append(lines, OPENED, openWriter, opened);
    }

    void appendRecorded(StringBuilder lines, UsageRecord record) {
        append(lines, RECORDED, recordWriter, record);
    }

    private static void append(StringBuilder lines, char kind, ObjectWriter writer, Object value) {
        try {
            lines.append(kind).append(writer.writeValueAsString(value)).append('\n');
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A journal entry could not be written as JSON", e);
        }
    }

    /** Every complete entry of the file, in order. */
    void read(Path file, Consumer<OpenedRequest> opened, Consumer<UsageRecord> recorded) {
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.length() < 2) {
                    continue;
                }
                try {
                    if (line.charAt(0) == OPENED) {
                        opened.accept(openReader.readValue(line.substring(1)));
                    } else if (line.charAt(0) == RECORDED) {
                        recorded.accept(recordReader.readValue(line.substring(1)));
                    }
                } catch (IOException e) {
                    LOG.warnf("Skipped an incomplete journal line in %s (written when the process stopped): %s", file,
                            e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
