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
 *
 * <p>The file is grown ahead of its lines by {@link #PREALLOCATED} bytes of zeros at a time, so that most syncs force
 * data alone: appending would change the file's size, which each {@code fdatasync} then has to write as well (the
 * inode: one more synchronous write per sync). A line never begins with a zero byte, so the lines of a file end where
 * the zeros begin ({@link JournalFormat#read}); a sealed file is cut to its lines. The directory is forced once a new
 * file is created, so that a crash right after cannot lose the file itself.
 */
final class JournalSegment {

    /** How far ahead of its lines a file is filled with zeros: one size change per this many bytes of lines. */
    static final int PREALLOCATED = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(PREALLOCATED).asReadOnlyBuffer();

    private final Path file;
    private final long openedNanos = System.nanoTime();
    /** Records journalled here and handed to the writer, not yet in PostgreSQL. */
    private final AtomicInteger unstored = new AtomicInteger();
    private volatile boolean needsReplay;
    private volatile boolean sealed;
    private FileChannel channel;
    /** Bytes of lines written. */
    private long bytes;
    /** Bytes in the file: the lines, then zeros. */
    private long allocated;

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

    /**
     * Appends the lines and forces them to the device: their data, and the file's size and blocks only when the lines
     * reach beyond the zeros written ahead, which are then extended in the same write.
     */
    void appendAndSync(JournalLines lines) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            forceDirectory();
        }
        ByteBuffer buffer = lines.buffer();
        while (buffer.hasRemaining()) {
            bytes += channel.write(buffer, bytes);
        }
        if (bytes > allocated) {
            long end = (bytes / PREALLOCATED + 1) * PREALLOCATED;
            for (long at = bytes; at < end; ) {
                ByteBuffer zeros = ZEROS.duplicate().limit((int) (end - at));
                at += channel.write(zeros, at);
            }
            allocated = end;
        }
        channel.force(false);
    }

    /** The new file's name is in its directory on the device (Linux: a directory opens for reading, and syncs). */
    private void forceDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        }
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

    /** No more entries are written here; the zeros ahead of the lines are cut off. */
    void seal() throws IOException {
        sealed = true;
        if (channel != null) {
            try (FileChannel closing = channel) {
                closing.truncate(bytes);
            }
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
