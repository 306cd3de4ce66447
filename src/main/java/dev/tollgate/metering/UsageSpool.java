package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The disk spool, for when PostgreSQL is away longer than memory can wait: files of usage records (one JSON line each)
 * that the recorder moves its backlog to and replays once the database is back, one file a part. Replaying writes
 * idempotently, so a file replayed twice (a crash between writing and deleting it) doubles nothing. Used by the writer
 * thread only. Injected only as the {@link ReplayableSink}, never where the database sink is wanted.
 */
@ApplicationScoped
@Typed(ReplayableSink.class)
class UsageSpool implements ReplayableSink {

    private final Path directory;
    private final ObjectMapper mapper;

    @Inject
    UsageSpool(MeteringConfig config, ObjectMapper mapper) {
        this(Path.of(config.spoolDir()), mapper);
    }

    UsageSpool(Path directory, ObjectMapper mapper) {
        this.directory = directory;
        this.mapper = mapper;
    }

    /** Writes the records to a new spool file, forced to disk before returning. */
    @Override
    public void write(List<UsageRecord> records) throws UsageSinkException {
        try {
            append(records);
        } catch (IOException | RuntimeException e) {
            throw new UsageSinkException(e, false);
        }
    }

    private void append(List<UsageRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Files.createDirectories(directory);
        StringBuilder lines = new StringBuilder(records.size() * 400);
        for (UsageRecord record : records) {
            lines.append(mapper.writeValueAsString(record)).append('\n');
        }
        // A new file each time: a file is complete once renamed into place, never read half-written.
        Path partial = directory.resolve("usage-" + System.nanoTime() + ".partial");
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(StandardCharsets.UTF_8.encode(lines.toString()));
            channel.force(true);
        }
        Files.move(partial, directory.resolve(partial.getFileName().toString().replace(".partial", ".jsonl")));
    }

    @Override
    public boolean isEmpty() {
        return files().isEmpty();
    }

    @Override
    public long size() {
        long lines = 0;
        for (Path file : files()) {
            try (Stream<String> content = Files.lines(file)) {
                lines += content.count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    /** The oldest spool file's records, or none when the spool is empty. */
    @Override
    public Spooled oldest() throws UsageSinkException {
        try {
            return read();
        } catch (IOException | RuntimeException e) {
            throw new UsageSinkException(e, false);
        }
    }

    private Spooled read() throws IOException {
        List<Path> files = files();
        if (files.isEmpty()) {
            return new Spooled(null, List.of());
        }
        Path file = files.get(0);
        List<UsageRecord> records = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    records.add(mapper.readValue(line, UsageRecord.class));
                }
            }
        }
        return new Spooled(file, records);
    }

    private List<Path> files() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(directory)) {
            // Names carry System.nanoTime(): sorted by name is oldest first within a run; across runs order is
            // irrelevant, since every record carries its own time.
            return listing.filter(path -> path.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One spool file (null: none) and its records. */
    record Spooled(Path file, List<UsageRecord> records) implements Held {

        @Override
        public String origin() {
            return String.valueOf(file);
        }

        /** Deletes the file. */
        @Override
        public void release() throws UsageSinkException {
            if (file == null) {
                return;
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UsageSinkException(e, false);
            }
        }
    }
}
