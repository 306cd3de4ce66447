package dev.tollgate.export;

import dev.tollgate.background.DaemonScheduler;
import dev.tollgate.metering.Backoff;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link UsageExporter} rounds on a thread of its own: at once again after a full round, after the poll interval
 * once caught up, and after a doubling backoff (up to a maximum) while rounds fail, each failure logged at WARN.
 * Whatever a round throws, the next one is scheduled. The lag is measured after each round, at most every
 * {@value #LAG_EVERY_SECONDS} s while catching up (counting a large backlog is not free).
 */
public final class ExportLoop {

    private static final Logger LOG = Logger.getLogger(ExportLoop.class);
    private static final long LAG_EVERY_SECONDS = 5;

    private final UsageExporter exporter;
    private final Duration pollInterval;
    private final Backoff backoff;
    private final ScheduledExecutorService executor;
    private long lastLagMeasurement = System.nanoTime() - TimeUnit.SECONDS.toNanos(LAG_EVERY_SECONDS);

    public ExportLoop(UsageExporter exporter, Duration pollInterval, Duration maxBackoff) {
        this.exporter = exporter;
        this.pollInterval = pollInterval;
        this.backoff = new Backoff(pollInterval, maxBackoff.compareTo(pollInterval) < 0 ? pollInterval : maxBackoff);
        this.executor = DaemonScheduler.named("usage-export");
    }

    public void start() {
        executor.execute(this::round);
    }

    /** Stops after the round in progress, if any, waiting for it at most {@code timeout}. */
    public void stop(Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow(); // its records were not marked sent: the next start sends them again
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void round() {
        long delay = pollInterval.toMillis();
        boolean caughtUp = true;
        Throwable failure = null;
        try {
            int sent = exporter.exportOnce();
            backoff.succeeded();
            if (sent >= exporter.batchSize()) {
                delay = 0;
                caughtUp = false;
            }
        } catch (Throwable e) {
            failure = e;
            exporter.failed();
            delay = backoff.failed();
        } finally {
            measureLag(caughtUp);
            if (failure != null) {
                LOG.warnf("Usage export round failed (%s); %d records waiting; retrying in %d ms", describe(failure),
                        exporter.lagRecords(), delay);
            }
            if (!executor.isShutdown()) {
                executor.schedule(this::round, delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void measureLag(boolean caughtUp) {
        long now = System.nanoTime();
        if (!caughtUp && now - lastLagMeasurement < TimeUnit.SECONDS.toNanos(LAG_EVERY_SECONDS)) {
            return;
        }
        lastLagMeasurement = now;
        try {
            exporter.measureLag();
        } catch (Throwable e) {
            LOG.debugf("Could not measure the export lag: %s", e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getClass().getSimpleName() + ": " + e.getMessage();
        Throwable cause = e.getCause();
        return cause == null || cause == e ? message : message + ", caused by " + cause;
    }
}
