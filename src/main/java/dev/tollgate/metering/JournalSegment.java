package dev.tollgate.metering;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file of the journal. Written by the journal's thread only, until sealed; then it is deleted once every record it
 * holds is in PostgreSQL. A segment whose records did not all fit in the writer's queue (a database outage) is
 * replayed from the file instead, by the writer, and deleted after that.
 */
final class JournalSegment {

    private final Path file;
    private final long openedNanos = System.nanoTime();
    /** Records journalled here and handed to the writer, not yet in PostgreSQL. */
    private final AtomicInteger unstored = new AtomicInteger();
    private volatile boolean needsReplay;
    private volatile boolean sealed;
    private FileChannel channel;
    private long bytes;

    JournalSegment(Path file) {
        this.file = file;
    }

    /** A segment of an earlier run: sealed, and to be replayed whole. */
    static JournalSegment earlier(Path file) {
        JournalSegment segment = new JournalSegment(file);
        segment.sealed = true;
        segment.needsReplay = true;
        return segment;
    }

    Path file() {
        return file;
    }

    /** Appends the lines and forces it to the device (data, not metadata: the size is in the data's blocks). */
    void appendAndSync(JournalLines lines) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        ByteBuffer buffer = lines.buffer();
        while (buffer.hasRemaining()) {
            bytes += channel.write(buffer);
        }
        channel.force(false);
    }

    boolean isEmpty() {
        return bytes == 0;
    }

    long ageNanos() {
        return System.nanoTime() - openedNanos;
    }

    /** Records were journalled here and handed to the writer. */
    void handedOver(int records) {
        unstored.addAndGet(records);
    }

    /** A record of this segment is in PostgreSQL. */
    void stored() {
        unstored.decrementAndGet();
    }

    /** A record of this segment found no room in the writer's queue: the file is replayed instead. */
    void replayFromFile() {
        needsReplay = true;
    }

    boolean needsReplay() {
        return needsReplay;
    }

    boolean sealed() {
        return sealed;
    }

    /** No more entries are written here. */
    void seal() throws IOException {
        sealed = true;
        if (channel != null) {
            channel.close();
        }
    }

    /** Sealed, and every record it holds is in PostgreSQL. */
    boolean fullyStored() {
        return sealed && !needsReplay && unstored.get() <= 0;
    }

    /** The records the file holds (entries of requests opened are not records: see {@link JournalRecovery}). */
    List<UsageRecord> records(JournalFormat format) {
        List<UsageRecord> records = new ArrayList<>();
        if (!Files.exists(file)) {
            return records; // removed by hand: nothing left to replay
        }
        format.read(file, opened -> { }, records::add);
        return records;
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
