package dev.tollgate.bench;

import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.metering.RequestIds;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How many usage records per second {@link UsageWriter} puts into a real (embedded) PostgreSQL, and the CPU PostgreSQL
 * spends per record (its process tree, from /proc: Linux only). Run by {@code bench/writer.sh}; prints figures, asserts
 * nothing. {@code DROP_INDEXES} (index names, comma-separated) runs it without those indexes of {@code usage_record}.
 */
public final class UsageWriterBenchmark {

    private static final Logger LOG = Logger.getLogger(UsageWriterBenchmark.class);
    private static final Path DATA = Path.of("bench/out/writer-pg");
    /** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on every Linux this runs on). */
    private static final double TICKS_PER_SECOND = 100;

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        EmbeddedDatabase database = EmbeddedDatabase.startOrGet(DATA);
        try {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(database.jdbcUrl() + "?reWriteBatchedInserts=true");
            dataSource.setUser("postgres");
            dataSource.setPassword("postgres");
            Flyway.configure().dataSource(dataSource).load().migrate();
            dropIndexes(dataSource, System.getenv().getOrDefault("DROP_INDEXES", ""));
            // The sample catalog, so that every record is priced as in production.
            SampleCatalog.load(dataSource);
            UsageWriter writer = new UsageWriter(oneConnection(dataSource), new PriceCatalogCache());
            run(writer, Math.min(total / 4, 50_000), batch); // warm-up
            long ticks = postgresTicks();
            long nanos = run(writer, total, batch);
            double postgresMicros = (postgresTicks() - ticks) / TICKS_PER_SECOND * 1e6 / total;
            LOG.infof("usage writer: %d records in batches of %d: %.0f records/s (%.1f us/record), PostgreSQL CPU "
                    + "%.1f us/record", total, batch, total / (nanos / 1e9), nanos / 1e3 / total, postgresMicros);
        } finally {
            database.stop();
        }
    }

    /** What an index of {@code usage_record} costs per record: the run without it (DROP_INDEXES, comma-separated). */
    private static void dropIndexes(DataSource dataSource, String names) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String name : names.split(",")) {
                if (!name.isBlank()) {
                    statement.execute("drop index " + name.strip());
                    LOG.infof("usage writer: without index %s", name.strip());
                }
            }
        }
    }

    /**
     * A data source that hands out one connection again and again, as the gateway's pool does to its single writer
     * thread: without it every batch would pay for a new server process and its session-local staging table.
     */
    private static DataSource oneConnection(DataSource dataSource) throws SQLException {
        Connection connection = dataSource.getConnection();
        Connection kept = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, arguments) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, arguments) -> method.getName().equals("getConnection") ? kept
                        : method.invoke(dataSource, arguments));
    }

    /** utime+stime+cutime+cstime of the postmaster and all its descendants. */
    private static long postgresTicks() throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(DATA.resolve("postmaster.pid")).get(0).trim());
        Map<Long, long[]> processes = new HashMap<>(); // pid -> {ppid, ticks}
        try (var entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    processes.put(Long.parseLong(entry.getFileName().toString()), new long[] {Long.parseLong(f[1]),
                            Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])});
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        long total = 0;
        for (Map.Entry<Long, long[]> process : processes.entrySet()) {
            long pid = process.getKey();
            while (pid > 1 && pid != postmaster && processes.containsKey(pid)) {
                pid = processes.get(pid)[0];
            }
            if (pid == postmaster) {
                total += process.getValue()[1];
            }
        }
        return total;
    }

    private static long run(UsageWriter writer, int total, int batchSize) throws Exception {
        List<UsageRecord> batch = new ArrayList<>(batchSize);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            batch.add(new UsageRecord(RequestIds.next(), Instant.now(), "app,\"" + (i % 50), "tenant", "gpt-4o",
                    "gpt-4o-2024-08-06", "backend-" + (i % 3), "swedencentral", DeploymentType.GLOBAL,
                    "chat/completions", i % 2 == 0, 200, 120, 1,
                    new Usage(1200, 256, 300, 0, 1500, UsageSource.REPORTED), "apim-" + i, null));
            if (batch.size() == batchSize) {
                writer.write(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            writer.write(batch);
        }
        return System.nanoTime() - start;
    }
}
