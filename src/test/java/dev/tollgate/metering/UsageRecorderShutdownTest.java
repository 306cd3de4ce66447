package dev.tollgate.metering;

import dev.tollgate.pricing.DeploymentType;
import dev.tollgate.pricing.PriceCatalogCache;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.local.EmbeddedDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Graceful shutdown drains the queue and then the disk spool into a real PostgreSQL (the JVM's embedded server, a
 * database of this test's own); what the database cannot take stays on disk, and nothing is written twice. The
 * recorder is built by hand and never started, so that only its shutdown writes anything.
 */
class UsageRecorderShutdownTest {

    private static final AtomicBoolean STOP_AT_EXIT = new AtomicBoolean();
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule());

    @TempDir
    Path spoolDirectory;

    private final TestDatabase database = new TestDatabase();

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void shutdownWritesTheQueueAndThenReplaysTheSpoolLeavingNothingOnDisk() throws Exception {
        UsageSpool spool = new UsageSpool(spoolDirectory, MAPPER);
        List<UsageRecord> spooledEarlier = records(3);
        List<UsageRecord> spooledLater = records(2);
        spool.append(spooledEarlier);
        spool.append(spooledLater);
        // A file whose write went through but was not deleted (the process died between the two): replayed again.
        database.writer().write(List.of(spooledEarlier.get(1)));
        UsageRecorder recorder = recorder(database.writer(), Duration.ofSeconds(30));
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
        spool.append(spooled);
        UsageRecorder away = recorder(new UsageWriter(unreachable(), new PriceCatalogCache()), Duration.ofSeconds(30));
        List<UsageRecord> queued = records(3);
        queued.forEach(away::offer);

        away.stop(new ShutdownEvent());

        assertThat(spool.size()).as("the queue moved to the spool, the spool untouched").isEqualTo(5);
        assertThat(database.ids()).isEmpty();

        recorder(database.writer(), Duration.ofSeconds(30)).stop(new ShutdownEvent());

        assertThat(database.ids()).containsExactlyInAnyOrderElementsOf(ids(spooled, queued));
        assertThat(spool.isEmpty()).isTrue();
    }

    @Test
    void withoutTimeLeftToReplayTheSpoolStaysOnDiskAndTheQueueIsStillWritten() throws Exception {
        UsageSpool spool = new UsageSpool(spoolDirectory, MAPPER);
        List<UsageRecord> spooled = records(3);
        spool.append(spooled);
        UsageRecorder recorder = recorder(database.writer(), Duration.ZERO);
        UsageRecord queued = records(1).get(0);
        recorder.offer(queued);

        recorder.stop(new ShutdownEvent());

        assertThat(database.ids()).containsExactly(queued.id());
        assertThat(spool.oldest().records()).containsExactlyElementsOf(spooled);
    }

    private UsageRecorder recorder(UsageWriter writer, Duration replayBudget) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new UsageRecorder(writer, new UsageMetrics(registry), new Config(spoolDirectory, replayBudget),
                registry, MAPPER);
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
                    200, 42, 1, new Usage(100 + i, 0, 20, 0, 120 + i, UsageSource.REPORTED), "apim-" + i));
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

    /**
     * A database of this test's own, migrated by Flyway with the application's scripts, in the JVM's embedded
     * PostgreSQL: started here on {@code target/metering-test-pg} unless a test before already started the JVM's
     * server, which is then shared. Dropped on {@link #close()}.
     */
    private static final class TestDatabase implements AutoCloseable {

        private final EmbeddedDatabase server;
        private final String name = "metering_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        private final PGSimpleDataSource dataSource = new PGSimpleDataSource();

        TestDatabase() {
            server = EmbeddedDatabase.startOrGet(Path.of("target/metering-test-pg"));
            if (!server.isRunning()) {
                server.start(); // a Quarkus test before us stopped it with its application
            }
            if (!STOP_AT_EXIT.getAndSet(true)) {
                Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "metering-test-pg-stop"));
            }
            execute(admin(), "create database " + name);
            dataSource.setUrl(server.jdbcUrl().replaceFirst("/postgres$", "/" + name));
            dataSource.setUser("postgres");
            dataSource.setPassword("postgres");
            Flyway.configure().dataSource(dataSource).load().migrate();
        }

        UsageWriter writer() {
            return new UsageWriter(dataSource, new PriceCatalogCache());
        }

        /** The ids of the rows stored, one per row. */
        List<UUID> ids() throws SQLException {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("select id from usage_record")) {
                List<UUID> ids = new ArrayList<>();
                while (rows.next()) {
                    ids.add(rows.getObject(1, UUID.class));
                }
                return ids;
            }
        }

        @Override
        public void close() {
            execute(admin(), "drop database if exists " + name + " with (force)");
        }

        private PGSimpleDataSource admin() {
            PGSimpleDataSource admin = new PGSimpleDataSource();
            admin.setUrl(server.jdbcUrl());
            admin.setUser("postgres");
            admin.setPassword("postgres");
            return admin;
        }

        private static void execute(DataSource dataSource, String sql) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }
    }
}
