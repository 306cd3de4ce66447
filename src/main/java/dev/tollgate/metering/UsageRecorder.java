package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes usage records to the store of record (PostgreSQL) in batches, on a thread of its own. Records come from the
 * {@link UsageJournal} once they are on disk, each with the journal segment that holds it, which is told when it is
 * stored. A batch is written every {@link MeteringConfig#flushInterval()}, or as soon as a whole batch
 * ({@link MeteringConfig#batchSize()}) waits: under a heavy load records then wait less, and fewer live long enough to
 * be promoted to the heap's old generation, which only a full collection empties. While the store fails, the batch in
 * hand is retried with backoff and new records wait in the bounded queue;
 * a record that finds the queue full stays in its segment, which is replayed from the file once the queue is empty
 * again (as are the segments of the run before, at start). A record written twice is stored once. At shutdown the
 * queue is written, then the segments waiting for replay, within a time budget; what the store cannot take by then
 * stays in the journal for the next start.
 */
@Singleton
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);
    /** A replay without a deadline (while running: the writer thread has all the time it needs). */
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /** The first pause after a failed write; it doubles up to {@link MeteringConfig#maxRetryBackoff()}. */
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final UsageSink store;
    private final JournalFormat format;
    private final UsageMetrics metrics;
    private final MeteringConfig config;
    private final BlockingQueue<Journalled> queue;
    private final Queue<JournalSegment> toReplay = new ConcurrentLinkedQueue<>();
    private final ScheduledThreadPoolExecutor executor;
    private final Counter written;
    private final Counter overflowed;
    private final Counter failedWrites;
    private final Counter quarantined;
    private final List<Journalled> batch = new ArrayList<>();
    private final Backoff backoff;
    /** A wake-up is on its way to the writer thread, or the store is failing: asked once, not once per record. */
    private final AtomicBoolean wakeUpAsked = new AtomicBoolean();
    /** The next round of {@link #flush()}; read and set on the writer thread only. */
    private ScheduledFuture<?> nextFlush;
    /** The last round failed: the next waits out its backoff, whatever arrives meanwhile. */
    private boolean backingOff;
    private volatile boolean started;

    /** @param store the system of record (PostgreSQL) */
    public UsageRecorder(UsageSink store, JournalFormat format, UsageMetrics metrics, MeteringConfig config,
                         MeterRegistry registry) {
        this.store = store;
        this.format = format;
        this.backoff = new Backoff(FIRST_RETRY, config.maxRetryBackoff());
        this.metrics = metrics;
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        ScheduledThreadPoolExecutor writerThread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "usage-writer");
            thread.setDaemon(true);
            return thread;
        });
        // At shutdown the next round (possibly a backoff seconds away) is dropped: stop() does the last writing.
        writerThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // A round brought forward by a full batch leaves the one it replaces cancelled: out of the queue at once.
        writerThread.setRemoveOnCancelPolicy(true);
        this.executor = writerThread;
        this.written = registry.counter("tollgate.usage.records.written");
        this.overflowed = registry.counter("tollgate.usage.records.left.in.journal");
        this.failedWrites = registry.counter("tollgate.usage.write.failures");
        this.quarantined = registry.counter("tollgate.usage.records.quarantined");
        registry.gauge("tollgate.usage.queue.depth", queue, BlockingQueue::size);
        registry.gauge("tollgate.usage.journal.segments.to.replay", toReplay, Queue::size);
    }

    /**
     * Queues a record for writing; never blocks. Returns false if the queue is full: the record is then written when
     * its segment is replayed.
     *
     * @param segment the journal segment holding the record, told once it is stored; null if it is in none
     */
    boolean offer(UsageRecord record, JournalSegment segment) {
        metrics.count(record);
        if (queue.offer(new Journalled(record, segment))) {
            if (queue.size() >= config.batchSize() && wakeUpAsked.compareAndSet(false, true)) {
                wakeUp();
            }
            return true;
        }
        overflowed.increment();
        return false;
    }

    /** Brings the next round forward to now, on the writer thread, unless the store is failing (its backoff holds). */
    private void wakeUp() {
        try {
            executor.execute(() -> {
                if (!started || backingOff) {
                    return; // the next round clears the ask
                }
                wakeUpAsked.set(false);
                // On the writer thread no round runs meanwhile: nextFlush is the one waiting, if any. A round that ran
                // since the wake-up was asked may have taken the batch already.
                if (queue.size() >= config.batchSize() && nextFlush != null && nextFlush.cancel(false)) {
                    flush();
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // stop() writes what is queued
        }
    }

    /** A sealed journal segment to write from its file, once the queue is empty. */
    void replayLater(JournalSegment segment) {
        toReplay.add(segment);
    }

    /** Records waiting in memory to be written. */
    public int backlog() {
        return queue.size() + batch.size();
    }

    /** Journal segments waiting to be replayed (a database outage, or a run that did not end cleanly). */
    public int segmentsToReplay() {
        return toReplay.size();
    }

    /** The database is migrated and reachable: writing starts (once). */
    public synchronized void start() {
        if (!started) {
            started = true;
            executor.execute(this::flush);
        }
    }

    public boolean started() {
        return started;
    }

    /**
     * At shutdown, before the database goes away: writes what is queued, then replays the waiting segments, all within
     * {@link MeteringConfig#shutdownTimeout()} (the replay within {@link MeteringConfig#shutdownReplayTimeout()} of
     * it). Whatever the database cannot take in that time is in the journal when the process exits.
     */
    void stop() {
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        executor.shutdown();
        try {
            executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!started) {
            LOG.warnf("Shut down before the database was reachable: %d usage records stay in the journal in %s, "
                    + "written at the next start", backlog(), config.journalDir());
            return;
        }
        while ((!batch.isEmpty() || !queue.isEmpty()) && deadline - System.nanoTime() > 0) {
            if (!writeBatch()) {
                break;
            }
        }
        if (!batch.isEmpty() || !queue.isEmpty()) {
            LOG.warnf("Shut down with %d usage records not written to the database: they stay in the journal in %s, "
                    + "written at the next start", backlog(), config.journalDir());
            return;
        }
        long replayDeadline = System.nanoTime() + Math.min(config.shutdownReplayTimeout().toNanos(),
                Math.max(0, deadline - System.nanoTime()));
        Replay replay = Replay.DONE;
        while (replay == Replay.DONE && !toReplay.isEmpty()) {
            replay = replayOldest(replayDeadline);
        }
        if (replay != Replay.DONE) {
            LOG.warnf("Shut down with %d journal segments not replayed yet (%s); replayed at the next start",
                    toReplay.size(), replay == Replay.OUT_OF_TIME
                            ? "tollgate.metering.shutdown-replay-timeout " + config.shutdownReplayTimeout() + " ran out"
                            : "the database refused them");
        }
    }

    /**
     * Writes batches while there are records, then looks again after the flush interval (or a backoff). Whatever
     * happens, the next look is scheduled: an exception here must never end the writing for good.
     */
    private void flush() {
        long delay = config.flushInterval().toMillis();
        backingOff = false;
        wakeUpAsked.set(false);
        try {
            while (!executor.isShutdown() && (!batch.isEmpty() || !queue.isEmpty())) {
                if (!writeBatch()) {
                    delay = backoff.failed();
                    backingOff = true;
                    break;
                }
                backoff.succeeded();
            }
            if (batch.isEmpty() && queue.isEmpty() && !toReplay.isEmpty()) {
                // Nothing new to write: time to bring back what waits in the journal (one segment per round).
                if (replayOldest(NO_DEADLINE) == Replay.DONE) {
                    backoff.succeeded();
                    delay = 0;
                } else {
                    delay = backoff.failed();
                    backingOff = true;
                }
            }
        } catch (Throwable unexpected) {
            LOG.error("Unexpected failure of the usage writer; retrying", unexpected);
            delay = config.maxRetryBackoff().toMillis();
            backingOff = true;
        } finally {
            if (!executor.isShutdown()) {
                nextFlush = executor.schedule(this::flush, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Writes the oldest segment waiting for replay to the store, a batch per round trip, then deletes it. Stops,
     * keeping it, when a write fails or, between batches, once {@code deadline} ({@link System#nanoTime()}) has passed.
     */
    private Replay replayOldest(long deadline) {
        JournalSegment segment = toReplay.peek();
        try {
            List<UsageRecord> records = segment.records(format);
            for (int from = 0; from < records.size(); from += config.batchSize()) {
                if (deadline != NO_DEADLINE && deadline - System.nanoTime() <= 0) {
                    return Replay.OUT_OF_TIME;
                }
                List<UsageRecord> chunk = records.subList(from, Math.min(records.size(), from + config.batchSize()));
                try {
                    store.write(chunk);
                    written.increment(chunk.size());
                } catch (UsageSinkException e) {
                    if (!e.refusedForGood()) {
                        throw e;
                    }
                    writeOneByOne(chunk.stream().map(record -> new Journalled(record, null)).toList());
                }
            }
            segment.delete();
            toReplay.poll();
            LOG.infof("Replayed %d usage records from journal segment %s", records.size(), segment);
            return Replay.DONE;
        } catch (UsageSinkException | IOException | RuntimeException e) {
            LOG.warnf("Replaying journal segment %s failed (%s); retrying later", segment, e.getMessage());
            return Replay.FAILED;
        }
    }

    /** How replaying a segment went. */
    private enum Replay {
        DONE, FAILED, OUT_OF_TIME
    }

    /** Writes the batch in hand, first filling it from the queue; returns false if the store refused it. */
    private boolean writeBatch() {
        if (batch.isEmpty()) {
            queue.drainTo(batch, config.batchSize());
        }
        if (batch.isEmpty()) {
            return true;
        }
        try {
            store.write(batch.stream().map(Journalled::record).toList());
            written.increment(batch.size());
            batch.forEach(Journalled::stored);
            batch.clear();
            return true;
        } catch (UsageSinkException e) {
            if (!e.refusedForGood()) {
                return retryLater(e);
            }
            // A record the store will never take must not block every record behind it.
            List<Journalled> left = writeOneByOne(batch);
            batch.retainAll(left);
            return left.isEmpty() || retryLater(new IllegalStateException("the database failed while writing one by one"));
        } catch (RuntimeException e) {
            return retryLater(e);
        }
    }

    private boolean retryLater(Exception e) {
        failedWrites.increment();
        LOG.warnf("Writing %d usage records failed (%s); %d more queued; retrying",
                batch.size(), e.getMessage(), queue.size());
        return false;
    }

    /**
     * Writes the records one by one, setting aside (in the log, in full, so it can be replayed) each record the store
     * refuses for its content. Stops at the first failure of another kind; returns the records not written yet.
     */
    private List<Journalled> writeOneByOne(List<Journalled> records) {
        for (int i = 0; i < records.size(); i++) {
            Journalled item = records.get(i);
            try {
                store.write(List.of(item.record()));
                written.increment();
            } catch (UsageSinkException e) {
                if (!e.refusedForGood()) {
                    return List.copyOf(records.subList(i, records.size()));
                }
                quarantined.increment();
                LOG.errorf("The database refused usage record %s for good (%s); set aside: %s", item.record().id(),
                        e.getMessage(), item.record());
            }
            item.stored();
        }
        return List.of();
    }

    /** A record and the journal segment that holds it (null: none). */
    private record Journalled(UsageRecord record, JournalSegment segment) {

        void stored() {
            if (segment != null) {
                segment.stored();
            }
        }
    }
}
