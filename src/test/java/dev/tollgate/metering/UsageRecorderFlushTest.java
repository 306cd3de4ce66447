package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When the writer writes: every flush interval, and as soon as a whole batch waits, but never before a failing
 * store's backoff is over. The store here is the sink interface the recorder writes to, keeping what it is given.
 */
class UsageRecorderFlushTest {

    private static final int BATCH = 3;
    /** Longer than any test: a write that happens did not wait for the interval. */
    private static final Duration NEVER = Duration.ofHours(1);

    @TempDir
    Path journal;

    private UsageRecorder recorder;

    @AfterEach
    void stop() {
        if (recorder != null) {
            recorder.stop();
        }
    }

    @Test
    void aWholeBatchIsWrittenWithoutWaitingForTheFlushIntervalAndTheRestWaitsForIt() {
        List<List<UsageRecord>> batches = new CopyOnWriteArrayList<>();
        recorder = recorder(batches::add, Duration.ofSeconds(10));
        // Queued before the start, written by the first round, which then waits a whole interval for the next.
        recorder.offer(record(), null);
        recorder.start();
        // Looked at 100 ms on at the earliest: by then the first round has ended (it ends once the queue is empty).
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 1);

        recorder.offer(record(), null);
        recorder.offer(record(), null);
        // two records of a batch of three wait for the interval
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> batches.size() == 1);

        recorder.offer(record(), null);
        await().atMost(Duration.ofSeconds(5)).until(() -> batches.size() == 2);
        assertThat(batches.get(1)).hasSize(BATCH);

        recorder.offer(record(), null);
        // a record alone waits for the interval again
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> batches.size() == 2);
        recorder.stop();
        assertThat(batches).hasSize(3);
        assertThat(batches.get(2)).hasSize(1);
    }

    @Test
    void whileTheStoreFailsWholeBatchesDoNotBringItsRetryForward() throws InterruptedException {
        AtomicInteger attempts = new AtomicInteger();
        recorder = recorder(records -> {
            attempts.incrementAndGet();
            throw new UsageSinkException(new SQLException("the database is away", "08006"), false);
        }, Duration.ofSeconds(10));
        recorder.start();

        recorder.offer(record(), null);
        recorder.offer(record(), null);
        recorder.offer(record(), null);
        await().atMost(Duration.ofSeconds(5)).until(() -> attempts.get() >= 1);
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < BATCH; j++) {
                recorder.offer(record(), null);
            }
            Thread.sleep(50); // paces the arrivals, a whole batch every 50 ms: each would bring a round forward
        }
        // Retries 0.1, 0.3 and 0.7 s after the first attempt (backoff 0.1, 0.2, 0.4 s), then 1.5 and 3.1 s: a few by
        // now, however many whole batches arrived. One per whole batch would be ten more.
        assertThat(attempts.get()).isBetween(2, 6);
        assertThat(recorder.backlog()).isEqualTo(11 * BATCH);
    }

    private UsageRecorder recorder(UsageSink store, Duration maxRetryBackoff) {
        MeteringSettings settings = new MeteringSettings(1_000, BATCH, NEVER, maxRetryBackoff, journal.toString(),
                Duration.ofMillis(20), NEVER, true, Map.of(), Duration.ofSeconds(5), Duration.ofSeconds(5));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new UsageRecorder(store, new JournalFormat(), new UsageMetrics(registry), settings, registry);
    }

    private static UsageRecord record() {
        return new UsageRecord(RequestIds.next(), Instant.now(), "app-flush", "tenant", "gpt-4o", "gpt-4o-2024-08-06",
                "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200, 42, 1,
                new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), null, null);
    }
}
