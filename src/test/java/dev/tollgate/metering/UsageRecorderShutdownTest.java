package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.support.ScratchDatabase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Graceful shutdown drains the queue and then the disk spool into a real PostgreSQL (the JVM's embedded server, a
 * database of this test's own); what the database cannot take stays on disk, and nothing is written twice. The
 * recorder is built by hand and never started, so that only its shutdown writes anything.
 */
class UsageRecorderShutdownTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule());

    @TempDir
    Path spoolDirectory;

    private final ScratchDatabase database = new ScratchDatabase("metering");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void shutdownWritesTheQueueAndThenReplaysTheSpoolLeavingNothingOnDisk() throws Exception {
        UsageSpool spool = new UsageSpool(spoolDirectory, MAPPER);
        List<UsageRecord> spooledEarlier = records(3);
        List<UsageRecord> spooledLater = records(2);
        spool.write(spooledEarlier);
        spool.write(spooledLater);
        // A file whose write went through but was not deleted (the process died between the two): replayed again.
        database.writer().write(List.of(spooledEarlier.get(1)));
        UsageRecorder recorder = recorder(database.writer(), spool, Duration.ofSeconds(30));
        List<UsageRecord> queued = records(4);
        queued.forEach(recorder::offer);

        recorder.stop(new ShutdownEvent());

        assertThat(database.ids()).containsExactlyInAnyOrderElementsOf(ids(spooledEarlier, spooledLater, queued));
        assertThat(spool.isEmpty()).isTrue();
    }

    @Test
    void withTheDatabaseAwayTheQueueJoinsTheSpoolOnDiskAndTheNextShutdownOrStartWritesItAllOnce() throws Exception {
        UsageSpool spool = new UsageSpool(spoolDirectory, MAPPER);
        List<UsageRecord> spooled = records(2);
        spool.write(spooled);
        UsageRecorder away = recorder(new UsageWriter(unreachable(), new PriceCatalogCache()), spool,
                Duration.ofSeconds(30));
        List<UsageRecord> queued = records(3);
        queued.forEach(away::offer);

        away.stop(new ShutdownEvent());

        assertThat(spool.size()).as("the queue moved to the spool, the spool untouched").isEqualTo(5);
        assertThat(database.ids()).isEmpty();

        recorder(database.writer(), spool, Duration.ofSeconds(30)).stop(new ShutdownEvent());

        assertThat(database.ids()).containsExactlyInAnyOrderElementsOf(ids(spooled, queued));
        assertThat(spool.isEmpty()).isTrue();
    }

    @Test
    void withoutTimeLeftToReplayTheSpoolStaysOnDiskAndTheQueueIsStillWritten() throws Exception {
        UsageSpool spool = new UsageSpool(spoolDirectory, MAPPER);
        List<UsageRecord> spooled = records(3);
        spool.write(spooled);
        UsageRecorder recorder = recorder(database.writer(), spool, Duration.ZERO);
        UsageRecord queued = records(1).get(0);
        recorder.offer(queued);

        recorder.stop(new ShutdownEvent());

        assertThat(database.ids()).containsExactly(queued.id());
        assertThat(spool.oldest().records()).containsExactlyElementsOf(spooled);
    }

    private UsageRecorder recorder(UsageSink store, ReplayableSink spool, Duration replayBudget) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new UsageRecorder(store, spool, new UsageMetrics(registry), new Config(spoolDirectory, replayBudget),
                registry);
    }

    @SafeVarargs
    private static List<UUID> ids(List<UsageRecord>... records) {
        List<UUID> ids = new ArrayList<>();
        for (List<UsageRecord> list : records) {
            list.forEach(record -> ids.add(record.id()));
        }
        return ids;
    }

    private static List<UsageRecord> records(int count) {
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new UsageRecord(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MICROS), "app-shutdown",
                    "tenant", "gpt-4o", "gpt-4o-2024-08-06", "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", i % 2 == 0,
                    200, 42, 1, new Usage(100 + i, 0, 20, 0, 120 + i, UsageSource.REPORTED), "apim-" + i, null));
        }
        return records;
    }

    /** A PostgreSQL address where nothing listens: every connection is refused at once. */
    private static DataSource unreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        dataSource.setConnectTimeout(2);
        return dataSource;
    }

    /** Small batches, so that a spool file takes several round trips. */
    private record Config(Path spool, Duration replayBudget) implements MeteringConfig {

        @Override
        public int queueCapacity() {
            return 100;
        }

        @Override
        public int batchSize() {
            return 2;
        }

        @Override
        public Duration flushInterval() {
            return Duration.ofMillis(100);
        }

        @Override
        public Duration maxRetryBackoff() {
            return Duration.ofMillis(100);
        }

        @Override
        public String spoolDir() {
            return spool.toString();
        }

        @Override
        public Duration shutdownTimeout() {
            return Duration.ofSeconds(30);
        }

        @Override
        public Duration shutdownReplayTimeout() {
            return replayBudget;
        }
    }
}
