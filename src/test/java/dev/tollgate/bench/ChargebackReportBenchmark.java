package dev.tollgate.bench;

import dev.tollgate.capacity.CapacityRollup;
import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.reporting.ChargebackGrouping;
import dev.tollgate.reporting.ChargebackQuery;
import dev.tollgate.reporting.ChargebackReport;
import dev.tollgate.ledger.RollupZones;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * How long a month's chargeback report takes over many usage records: from the daily rollups (what the API does) and,
 * as the baseline in the same run, from the records themselves (what it would do without rollups). Generates the
 * records into an embedded PostgreSQL under bench/out (kept between runs: generating takes minutes), back-fills the
 * rollups with the same SQL the gateway uses, then times the reports. Run by {@code bench/chargeback.sh}; prints
 * figures, asserts nothing.
 */
public final class ChargebackReportBenchmark {

    private static final Logger LOG = Logger.getLogger(ChargebackReportBenchmark.class);
    private static final LocalDate FROM = LocalDate.of(2026, 10, 1);
    private static final LocalDate TO = LocalDate.of(2026, 11, 1);
    private static final int CHUNK = 1_000_000;

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        EmbeddedDatabase database = EmbeddedDatabase.startOrGet(Path.of("bench/out/chargeback-pg"));
        try {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(database.jdbcUrl());
            dataSource.setUser("postgres");
            dataSource.setPassword("postgres");
            Flyway.configure().dataSource(dataSource).load().migrate();
            SampleCatalog.load(dataSource);
            generate(dataSource, rows);
            RollupZones zones = new RollupZones(dataSource);
            long start = System.nanoTime();
            boolean added = zones.add("UTC");
            if (added) {
                LOG.infof("chargeback bench: rollups back-filled from %d records in %.1f s", count(dataSource, "usage_record"),
                        (System.nanoTime() - start) / 1e9);
            }
            analyze(dataSource);
            LOG.infof("chargeback bench: %d usage records in %s..%s, %d rollup rows", count(dataSource, "usage_record"),
                    FROM, TO, count(dataSource, "usage_daily"));

            ChargebackQuery query = new ChargebackQuery(dataSource, zones, new CapacityRollup(dataSource),
                    SampleCatalog.USD);
            for (String groupBy : List.of("app", "businessUnit,model", "app,day", "costCenter,model,month")) {
                List<ChargebackGrouping> groupings = ChargebackGrouping.parse(List.of(groupBy));
                double[] rollups = time(query, ZoneId.of("UTC"), groupings, runs);
                // Etc/UTC keeps no rollups: the same report summed from the records, the baseline.
                double[] records = time(query, ZoneId.of("Etc/UTC"), groupings, Math.max(1, runs / 10));
                LOG.infof("chargeback bench: groupBy=%-24s rollups p50 %8.1f ms p95 %8.1f ms | records (baseline) "
                                + "p50 %8.1f ms | %.0fx", groupBy, rollups[0], rollups[1], records[0], records[0] / rollups[0]);
            }
        } finally {
            database.stop();
        }
    }

    /** p50 and p95 in ms, after one warm-up run; the rows of both sources must agree. */
    private static double[] time(ChargebackQuery query, ZoneId zone, List<ChargebackGrouping> groupings, int runs)
            throws SQLException {
        query.run(FROM, TO, zone, groupings);
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            ChargebackReport report = query.run(FROM, TO, zone, groupings);
            ms[i] = (System.nanoTime() - start) / 1e6;
            if (report.total().requests() == 0) {
                throw new IllegalStateException("empty report");
            }
        }
        Arrays.sort(ms);
        return new double[]{ms[runs / 2], ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)]};
    }

    /**
     * 200 apps (150 registered, in 12 business units and 40 cost centers), each calling two of six models over three
     * backends, spread over October; priced with the sample catalog's global prices.
     */
    private static void generate(PGSimpleDataSource dataSource, long rows) throws SQLException {
        long have = count(dataSource, "usage_record");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("insert into app (app_id, display_name, business_unit, cost_center) "
                    + "select 'app-' || g, 'App ' || g, 'BU ' || (g % 12), 'CC-' || (g % 40) "
                    + "from generate_series(0, 149) g on conflict do nothing");
            while (have < rows) {
                long n = Math.min(CHUNK, rows - have);
                long start = System.nanoTime();
                statement.executeUpdate("with m(i, deployment, model) as (values (0, 'gpt-4o', 'gpt-4o-2024-08-06'), "
                        + "(1, 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18'), (2, 'gpt-4.1', 'gpt-4.1-2025-04-14'), "
                        + "(3, 'o3-mini', 'o3-mini-2025-01-31'), (4, 'embeddings', 'text-embedding-3-small'), "
                        + "(5, 'gpt-5', 'gpt-5-2025-08-07')), "
                        + "r as (select g, (g % 200) as app, ((g % 200) + (g / 7) % 2) % 6 as mi, "
                        + "100 + (random() * 3000)::int as input, (random() * 800)::int as output, "
                        + "random() as x from generate_series(1, " + n + ") g), "
                        + "p as (select distinct on (model) id, model, input_per_1m, coalesce(cached_input_per_1m, "
                        + "input_per_1m) as cached_per_1m, output_per_1m from price where deployment_type = 'global' "
                        + "and model_version is null order by model, effective_from desc) "
                        + "insert into usage_record (id, occurred_at, app_id, tenant_id, deployment, model, backend_id, "
                        + "region, deployment_type, operation, stream, status, latency_ms, attempts, input_tokens, "
                        + "cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, usage_source, price_id, cost) "
                        + "select gen_random_uuid(), timestamptz '" + FROM + " 00:00:00+00' + random() * interval '31 days', "
                        + "'app-' || r.app, 'tenant', m.deployment, m.model, 'backend-' || (r.g % 3), 'swedencentral', "
                        + "'global', 'chat/completions', r.x < 0.5, 200, 300, 1, r.input, r.input / 4, r.output, 0, "
                        + "r.input + r.output, case when r.x < 0.02 then 'estimated' else 'reported' end, p.id, "
                        + "((r.input - r.input / 4) * p.input_per_1m + (r.input / 4) * p.cached_per_1m "
                        + "+ r.output * p.output_per_1m) / 1000000 "
                        + "from r join m on m.i = r.mi join p on p.model = split_part(m.model, '-20', 1)");
                have += n;
                LOG.infof("chargeback bench: generated %d of %d records (%.1f s for this million)", have, rows,
                        (System.nanoTime() - start) / 1e9);
            }
        }
    }

    private static void analyze(PGSimpleDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("analyze usage_daily");
            statement.execute("analyze app");
        }
    }

    private static long count(PGSimpleDataSource dataSource, String table) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select count(*) from " + table)) {
            result.next();
            return result.getLong(1);
        }
    }
}
