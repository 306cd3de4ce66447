package dev.tollgate.support;

import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSinkException;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.pricing.PriceCatalogCache;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A database of one test's own, migrated by Flyway with the application's scripts, for tests that build their
 * objects by hand rather than through Quarkus. It lives in the JVM's embedded PostgreSQL, which is started here on
 * {@code target/scratch-test-pg} unless a test before (a Quarkus one) already started it; the server is then shared,
 * and since each test works in a database of its own, nothing mixes. The database is dropped on {@link #close()}.
 */
public class ScratchDatabase implements AutoCloseable {

    private static final AtomicBoolean STOP_AT_EXIT = new AtomicBoolean();

    private final EmbeddedDatabase server;
    private final String name;
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final UsageWriter writer;

    /** A new database named after {@code purpose} (lower-case letters and underscores) and a random suffix. */
    public ScratchDatabase(String purpose) {
        if (!purpose.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a plain database name: " + purpose);
        }
        name = purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server = EmbeddedDatabase.startOrGet(Path.of("target/scratch-test-pg"));
        if (!server.isRunning()) {
            server.start(); // a Quarkus test before us stopped it with its application
        }
        if (!STOP_AT_EXIT.getAndSet(true)) {
            // Stops it only if this JVM started it (EmbeddedDatabase.stop() leaves a server it found running alone).
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "scratch-test-pg-stop"));
        }
        execute(admin(), "create database " + name);
        dataSource.setUrl(server.jdbcUrl().replaceFirst("/postgres$", "/" + name));
        dataSource.setUser("postgres");
        dataSource.setPassword("postgres");
        Flyway.configure().dataSource(dataSource).load().migrate();
        writer = new UsageWriter(dataSource, new PriceCatalogCache());
    }

    /** A PostgreSQL address where nothing listens: every connection is refused at once (a database that is down). */
    public static PGSimpleDataSource unreachable() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:postgresql://127.0.0.1:" + LoopbackPorts.outsideEphemeralRange() + "/postgres");
        dataSource.setConnectTimeout(2);
        return dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The writer the gateway uses, on this database. */
    public UsageWriter writer() {
        return writer;
    }

    /** Writes the records as the gateway does ({@link UsageWriter}), in one transaction. */
    public void write(List<UsageRecord> records) throws UsageSinkException {
        writer.write(records);
    }

    /** The ids of the usage rows stored, one per row, in the order they were stored. */
    public List<UUID> ids() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select id from usage_record order by seq")) {
            List<UUID> ids = new ArrayList<>();
            while (rows.next()) {
                ids.add(rows.getObject(1, UUID.class));
            }
            return ids;
        }
    }

    /** The single number a query answers, e.g. {@code select count(*) from usage_record}. */
    public long queryLong(String sql) throws SQLException {
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
