package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes usage records from the request path without ever blocking it, and writes them to PostgreSQL in batches on a
 * thread of its own. While the database fails, the batch in hand is retried with backoff and new records wait in the
 * bounded queue; once the queue is half full they move to the disk spool ({@link UsageSpool}), which is replayed when
 * the database is back. A record written twice is stored once ({@link UsageWriter} is idempotent). At shutdown,
 * records the database cannot take are spooled, and replayed at the next start.
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);

    private final UsageWriter writer;
    private final UsageSpool spool;
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
    private long backoffMillis;

    public UsageRecorder(UsageWriter writer, UsageMetrics metrics, MeteringConfig config, MeterRegistry registry,
                         ObjectMapper mapper) {
        this.writer = writer;
        this.spool = new UsageSpool(Path.of(config.spoolDir()), mapper);
        this.metrics = metrics;
        this.config = config;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "usage-writer");
            thread.setDaemon(true);
            return thread;
        });
        this.written = registry.counter("tollgate.usage.records.written");
        this.rejected = registry.counter("tollgate.usage.records.rejected");
        this.failedWrites = registry.counter("tollgate.usage.write.failures");
        this.quarantined = registry.counter("tollgate.usage.records.quarantined");
        this.spooled = registry.counter("tollgate.usage.records.spooled");
        registry.gauge("tollgate.usage.queue.depth", queue, BlockingQueue::size);
        registry.gauge("tollgate.usage.spool.records", spool, UsageSpool::size);
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

    /** Runs before the database goes away at shutdown (lower priority value, earlier observer). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        executor.shutdown();
        try {
            executor.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        while ((!batch.isEmpty() || !queue.isEmpty()) && System.nanoTime() < deadline) {
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
                    backoffMillis = Math.min(Math.max(2 * backoffMillis, 100), config.maxRetryBackoff().toMillis());
                    delay = backoffMillis;
                    if (queue.size() > config.queueCapacity() / 2) {
                        // The outage outlasts what memory should hold: move the backlog to disk, free the queue.
                        spoolBacklog();
                    }
                    break;
                }
                backoffMillis = 0;
            }
            if (batch.isEmpty() && queue.isEmpty() && !spool.isEmpty()) {
                // Nothing new to write: time to bring back what was spooled (one file per round).
                if (replaySpool()) {
                    backoffMillis = 0;
                    delay = 0;
                } else {
                    backoffMillis = Math.min(Math.max(2 * backoffMillis, 100), config.maxRetryBackoff().toMillis());
                    delay = backoffMillis;
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
            spool.append(backlog);
            spooled.increment(backlog.size());
            batch.clear();
            LOG.warnf("Database unavailable: %d usage records moved to the spool in %s", backlog.size(), config.spoolDir());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.errorf("Could not spool %d usage records to %s (%s); keeping them in memory", backlog.size(),
                    config.spoolDir(), e.getMessage());
            batch.clear();
            batch.addAll(backlog);
            return false;
        }
    }

    /** Writes the oldest spool file to the database and forgets it; returns false if the database refused. */
    private boolean replaySpool() {
        try {
            UsageSpool.Spooled oldest = spool.oldest();
            for (int from = 0; from < oldest.records().size(); from += config.batchSize()) {
                List<UsageRecord> chunk = oldest.records().subList(from,
                        Math.min(oldest.records().size(), from + config.batchSize()));
                writer.write(chunk);
                written.increment(chunk.size());
            }
            spool.done(oldest);
            LOG.infof("Replayed %d spooled usage records from %s", oldest.records().size(), oldest.file());
            return true;
        } catch (IOException | SQLException | RuntimeException | AssertionError e) {
            LOG.warnf("Replaying the usage spool failed (%s); retrying later", e.getMessage());
            return false;
        }
    }

    /** Writes the batch in hand, first filling it from the queue; returns false if the database refused it. */
    private boolean writeBatch() {
        if (batch.isEmpty()) {
            queue.drainTo(batch, config.batchSize());
        }
        if (batch.isEmpty()) {
            return true;
        }
        try {
            writer.write(batch);
            written.increment(batch.size());
            batch.clear();
            return true;
        } catch (SQLException e) {
            if (!refusedForGood(e)) {
                return retryLater(e);
            }
            // A record the database will never take must not block every record behind it.
            writeOneByOne();
            return true;
        } catch (RuntimeException | AssertionError e) {
            return retryLater(e);
        }
    }

    /** The failure is about the data, not the database being away: retrying the same batch would fail forever. */
    private static boolean refusedForGood(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private boolean retryLater(Throwable e) {
        // pgjdbc answers some writes on a connection the server dropped with an AssertionError, hence Throwable.
        failedWrites.increment();
        LOG.warnf("Writing %d usage records failed (%s); %d more queued; retrying",
                batch.size(), e.getMessage(), queue.size());
        return false;
    }

    /**
     * Writes the batch in hand record by record, setting aside (in the log, in full, so it can be replayed) each
     * record the database refuses for its content. Stops at the first failure of another kind, to retry later.
     */
    private void writeOneByOne() {
        while (!batch.isEmpty()) {
            UsageRecord record = batch.get(0);
            try {
                writer.write(List.of(record));
                written.increment();
            } catch (SQLException e) {
                if (!refusedForGood(e)) {
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
