package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes usage records from the request path without ever blocking it, and writes them to the store of record
 * (PostgreSQL) in batches on a thread of its own. While the store fails, the batch in hand is retried with backoff and
 * new records wait in the bounded queue; once the queue is half full they move to the spool (on disk), which is
 * replayed into the store when it is back. A record written twice is stored once (every sink is idempotent). At
 * shutdown the queue is written and then the spool replayed, within a time budget; records the store cannot take by
 * then are spooled, or stay spooled, and are replayed at the next start.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);
    /** A replay without a deadline (while running: the writer thread has all the time it needs). */
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /** The first pause after a failed write; it doubles up to {@link MeteringConfig#maxRetryBackoff()}. */
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private final UsageSink store;
    private final ReplayableSink spool;
    private final UsageMetrics metrics;
    private final MeteringConfig config;
    private final BlockingQueue<UsageRecord> queue;
    private final ScheduledExecutorService executor;
    private final Counter written;
    private final Counter rejected;
    private final Counter failedWrites;
    private final Counter quarantined;
    private final Counter spooled;
    private final List<UsageRecord> batch = new ArrayList<>();
    private final AtomicLong lastRejectLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));
    private final Backoff backoff;

    /**
     * @param store the system of record (PostgreSQL)
     * @param spool where records wait while the store is away
     */
    public UsageRecorder(UsageSink store, ReplayableSink spool, UsageMetrics metrics, MeteringConfig config,
                         MeterRegistry registry) {
        this.store = store;
        this.spool = spool;
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
        this.executor = writerThread;
        this.written = registry.counter("tollgate.usage.records.written");
        this.rejected = registry.counter("tollgate.usage.records.rejected");
        this.failedWrites = registry.counter("tollgate.usage.write.failures");
        this.quarantined = registry.counter("tollgate.usage.records.quarantined");
        this.spooled = registry.counter("tollgate.usage.records.spooled");
        registry.gauge("tollgate.usage.queue.depth", queue, BlockingQueue::size);
        registry.gauge("tollgate.usage.spool.records", spool, ReplayableSink::size);
    }

    /** Queues a record for writing; never blocks. Returns false if the queue is full. */
    public boolean offer(UsageRecord record) {
        metrics.count(record);
        if (queue.offer(record)) {
            return true;
        }
        rejected.increment();
        long now = System.nanoTime();
        long last = lastRejectLog.get();
        if (now - last > TimeUnit.SECONDS.toNanos(1) && lastRejectLog.compareAndSet(last, now)) {
            // At most one line a second: an outage must not also flood the logs.
            LOG.errorf("Usage queue full (%d records): records are being refused (%.0f so far); this one: %s",
                    config.queueCapacity(), rejected.count(), record);
        }
        return false;
    }

    /** Records waiting to be written. */
    public int backlog() {
        return queue.size() + batch.size();
    }

    public int capacity() {
        return config.queueCapacity();
    }

    /**
     * Whether a new request may be served. Above 99% of the queue the answer is no: a request served now might find
     * no room for its record when it ends, and an unrecorded request is worse than a refused one.
     */
    public boolean hasRoomForMore() {
        return backlog() < config.queueCapacity() - Math.max(1, config.queueCapacity() / 100);
    }

    void start(@Observes StartupEvent event) {
        executor.execute(this::flush);
    }

    /**
     * Runs before the database goes away at shutdown (lower priority value, earlier observer): writes what is queued,
     * then replays the spool, all within {@link MeteringConfig#shutdownTimeout()}. Whatever the database cannot take
     * in that time is on disk when the process exits, to be written at the next start.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        executor.shutdown();
        try {
            executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while ((!batch.isEmpty() || !queue.isEmpty()) && deadline - System.nanoTime() > 0) {
            if (!writeBatch()) {
                break;
            }
        }
        if (!batch.isEmpty() || !queue.isEmpty()) {
            int left = batch.size() + queue.size();
            if (spoolBacklog()) {
                LOG.warnf("Shut down with the database unavailable: %d usage records spooled to %s, written at the "
                        + "next start", left, config.spoolDir());
            } else {
                LOG.errorf("Shut down with %d usage records unwritten", left);
            }
            return;
        }
        long replayDeadline = System.nanoTime() + Math.min(config.shutdownReplayTimeout().toNanos(),
                Math.max(0, deadline - System.nanoTime()));
        try {
            replaySpoolBefore(replayDeadline);
        } catch (RuntimeException e) {
            LOG.warnf("Could not replay the usage spool in %s at shutdown (%s); it is written at the next start",
                    config.spoolDir(), e.getMessage());
        }
    }

    /**
     * Replays the spool, oldest file first, until it is empty, a write fails or the deadline passes; logs what is
     * left on disk. A file replayed in part is replayed whole at the next start, which doubles nothing.
     */
    private void replaySpoolBefore(long deadline) {
        Replay replay = Replay.DONE;
        while (replay == Replay.DONE && !spool.isEmpty()) {
            replay = replayOldest(deadline);
        }
        if (replay == Replay.OUT_OF_TIME) {
            LOG.warnf("Shut down with %d usage records still in the spool in %s: replaying it took longer than the "
                    + "shutdown allows (tollgate.metering.shutdown-replay-timeout %s, shutdown-timeout %s); written at "
                    + "the next start", spool.size(), config.spoolDir(), config.shutdownReplayTimeout(),
                    config.shutdownTimeout());
        } else if (replay == Replay.FAILED) {
            LOG.warnf("Shut down with %d usage records still in the spool in %s, written at the next start",
                    spool.size(), config.spoolDir());
        }
    }

    /**
     * Writes batches while there are records, then looks again after the flush interval (or a backoff). Whatever
     * happens, the next look is scheduled: an exception here must never end the writing for good.
     */
    private void flush() {
        long delay = config.flushInterval().toMillis();
        try {
            while (!executor.isShutdown() && (!batch.isEmpty() || !queue.isEmpty())) {
                if (!writeBatch()) {
                    delay = backoff.failed();
                    if (queue.size() > config.queueCapacity() / 2) {
                        // The outage outlasts what memory should hold: move the backlog to disk, free the queue.
                        spoolBacklog();
                    }
                    break;
                }
                backoff.succeeded();
            }
            if (batch.isEmpty() && queue.isEmpty() && !spool.isEmpty()) {
                // Nothing new to write: time to bring back what was spooled (one file per round).
                if (replaySpool()) {
                    backoff.succeeded();
                    delay = 0;
                } else {
                    delay = backoff.failed();
                }
            }
        } catch (Throwable unexpected) {
            LOG.error("Unexpected failure of the usage writer; retrying", unexpected);
            delay = config.maxRetryBackoff().toMillis();
        } finally {
            if (!executor.isShutdown()) {
                executor.schedule(this::flush, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Moves the batch in hand and the queue to the disk spool; returns false (keeping them) if that fails too. */
    private boolean spoolBacklog() {
        List<UsageRecord> backlog = new ArrayList<>(batch);
        queue.drainTo(backlog);
        try {
            spool.write(backlog);
            spooled.increment(backlog.size());
            batch.clear();
            LOG.warnf("Database unavailable: %d usage records moved to the spool in %s", backlog.size(), config.spoolDir());
            return true;
        } catch (UsageSinkException | RuntimeException e) {
            LOG.errorf("Could not spool %d usage records to %s (%s); keeping them in memory", backlog.size(),
                    config.spoolDir(), e.getMessage());
            batch.clear();
            batch.addAll(backlog);
            return false;
        }
    }

    /** Writes the oldest part of the spool to the store and forgets it; returns false if the store refused. */
    private boolean replaySpool() {
        return replayOldest(NO_DEADLINE) == Replay.DONE;
    }

    /**
     * Writes the oldest part of the spool to the store, a batch per round trip, and forgets it. Stops, keeping the
     * part, when a write fails or, between batches, once {@code deadline} ({@link System#nanoTime()}) has passed.
     */
    private Replay replayOldest(long deadline) {
        try {
            ReplayableSink.Held oldest = spool.oldest();
            List<UsageRecord> records = oldest.records();
            for (int from = 0; from < records.size(); from += config.batchSize()) {
                if (deadline != NO_DEADLINE && deadline - System.nanoTime() <= 0) {
                    return Replay.OUT_OF_TIME;
                }
                List<UsageRecord> chunk = records.subList(from, Math.min(records.size(), from + config.batchSize()));
                store.write(chunk);
                written.increment(chunk.size());
            }
            oldest.release();
            LOG.infof("Replayed %d spooled usage records from %s", records.size(), oldest.origin());
            return Replay.DONE;
        } catch (UsageSinkException | RuntimeException e) {
            LOG.warnf("Replaying the usage spool failed (%s); retrying later", e.getMessage());
            return Replay.FAILED;
        }
    }

    /** How replaying a spool file went. */
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
            store.write(batch);
            written.increment(batch.size());
            batch.clear();
            return true;
        } catch (UsageSinkException e) {
            if (!e.refusedForGood()) {
                return retryLater(e);
            }
            // A record the store will never take must not block every record behind it.
            writeOneByOne();
            return true;
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
     * Writes the batch in hand record by record, setting aside (in the log, in full, so it can be replayed) each
     * record the store refuses for its content. Stops at the first failure of another kind, to retry later.
     */
    private void writeOneByOne() {
        while (!batch.isEmpty()) {
            UsageRecord record = batch.get(0);
            try {
                store.write(List.of(record));
                written.increment();
            } catch (UsageSinkException e) {
                if (!e.refusedForGood()) {
                    retryLater(e);
                    return;
                }
                quarantined.increment();
                LOG.errorf("The database refused usage record %s for good (%s); set aside: %s", record.id(),
                        e.getMessage(), record);
            }
            batch.remove(0);
        }
    }
}
