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

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How many usage records per second {@link UsageWriter} puts into a real (embedded) PostgreSQL. Run by
 * {@code bench/writer.sh}; prints figures, asserts nothing.
 */
public final class UsageWriterBenchmark {

    private static final Logger LOG = Logger.getLogger(UsageWriterBenchmark.class);

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        EmbeddedDatabase database = EmbeddedDatabase.startOrGet(Path.of("bench/out/writer-pg"));
        try {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(database.jdbcUrl() + "?reWriteBatchedInserts=true");
            dataSource.setUser("postgres");
            dataSource.setPassword("postgres");
            Flyway.configure().dataSource(dataSource).load().migrate();
            // The sample catalog, so that every record is priced as in production.
            SampleCatalog.load(dataSource);
            UsageWriter writer = new UsageWriter(dataSource, new PriceCatalogCache());
            run(writer, Math.min(total / 4, 50_000), batch); // warm-up
            long nanos = run(writer, total, batch);
            LOG.infof("usage writer: %d records in batches of %d: %.0f records/s (%.1f us/record)",
                    total, batch, total / (nanos / 1e9), nanos / 1e3 / total);
        } finally {
            database.stop();
        }
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
