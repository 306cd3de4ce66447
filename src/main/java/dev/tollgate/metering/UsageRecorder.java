package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Takes usage records from the request path without ever blocking it, and writes them to PostgreSQL in batches on a
 * thread of its own. While the database fails, the batch in hand is retried with backoff and new records wait in the
 * bounded queue; a retried batch never doubles a row ({@link UsageWriter} is idempotent).
 */
@ApplicationScoped
public class UsageRecorder {

    private static final Logger LOG = Logger.getLogger(UsageRecorder.class);

    private final UsageWriter writer;
    private final UsageMetrics metrics;
    private final MeteringConfig config;
    private final BlockingQueue<UsageRecord> queue;
    private final ScheduledExecutorService executor;
    private final Counter written;
    private final Counter rejected;
    private final Counter failedWrites;
    private final List<UsageRecord> batch = new ArrayList<>();
    private long backoffMillis;

    public UsageRecorder(UsageWriter writer, UsageMetrics metrics, MeteringConfig config, MeterRegistry registry) {
        this.writer = writer;
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
        registry.gauge("tollgate.usage.queue.depth", queue, BlockingQueue::size);
    }

    /** Queues a record for writing; never blocks. Returns false if the queue is full. */
    public boolean offer(UsageRecord record) {
        metrics.count(record);
        if (queue.offer(record)) {
            return true;
        }
        rejected.increment();
        LOG.errorf("Usage queue full (%d records): record %s for app %s not queued",
                config.queueCapacity(), record.id(), record.appId());
        return false;
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
            LOG.errorf("Shut down with %d usage records unwritten", batch.size() + queue.size());
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
                    break;
                }
                backoffMillis = 0;
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
        } catch (Exception | AssertionError e) {
            // pgjdbc answers some writes on a connection the server dropped with an AssertionError.
            failedWrites.increment();
            LOG.warnf("Writing %d usage records failed (%s); %d more queued; retrying",
                    batch.size(), e.getMessage(), queue.size());
            return false;
        }
    }
}
