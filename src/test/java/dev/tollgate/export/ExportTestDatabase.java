package dev.tollgate.export;

import dev.tollgate.pricing.DeploymentType;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.proxy.RequestIds;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A database of its own, migrated by Flyway with the application's scripts, in the JVM's embedded PostgreSQL: started
 * here on {@code target/export-test-pg} unless a test before (a Quarkus one) already started the JVM's server, which
 * is then shared — each test class works in a database of its own, so nothing mixes. Dropped on {@link #close()}.
 */
final class ExportTestDatabase implements AutoCloseable {

    private static final AtomicBoolean STOP_AT_EXIT = new AtomicBoolean();

    private final EmbeddedDatabase server;
    private final String name = "export_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final UsageWriter writer;

    ExportTestDatabase() {
        server = EmbeddedDatabase.startOrGet(Path.of("target/export-test-pg"));
        if (!server.isRunning()) {
            server.start(); // a Quarkus test before us stopped it with its application
        }
        if (!STOP_AT_EXIT.getAndSet(true)) {
            // Stops it only if this JVM started it (EmbeddedDatabase.stop() leaves a server it found running alone).
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "export-test-pg-stop"));
        }
        execute(admin(), "create database " + name);
        dataSource.setUrl(server.jdbcUrl().replaceFirst("/postgres$", "/" + name));
        dataSource.setUser("postgres");
        dataSource.setPassword("postgres");
        Flyway.configure().dataSource(dataSource).load().migrate();
        writer = new UsageWriter(dataSource, new PriceCatalogCache());
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Writes the records as the gateway does (UsageWriter), in one transaction. */
    void write(List<UsageRecord> records) throws SQLException {
        writer.write(records);
    }

    /** {@code count} records of the app, alternating a few field values, occurred in the last minute. */
    static List<UsageRecord> records(String appId, int count) {
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean even = i % 2 == 0;
            records.add(new UsageRecord(RequestIds.next(), Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MICROS),
                    appId, even ? "tenant-1" : null, "gpt-4o", even ? "gpt-4o-2024-08-06" : null, "sim-" + (i % 3),
                    even ? "swedencentral" : null,
                    even ? DeploymentType.GLOBAL : null, "chat/completions", !even, even ? 200 : 429, 100 + i, 1 + i % 2,
                    even ? new Usage(1200 + i, 256, 300, 64, 1500 + i, UsageSource.REPORTED) : Usage.none(),
                    even ? "apim-" + i : null));
        }
        return records;
    }

    long maxSeq() throws SQLException {
        return queryLong("select coalesce(max(seq), 0) from usage_record");
    }

    long position() throws SQLException {
        return queryLong("select coalesce(max(last_seq), 0) from usage_export_position");
    }

    List<UUID> allIds() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select id from usage_record order by seq")) {
            List<UUID> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
            return ids;
        }
    }

    private long queryLong(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
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
