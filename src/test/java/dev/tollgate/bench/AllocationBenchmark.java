package dev.tollgate.bench;

import dev.tollgate.capacity.Allocator;
import dev.tollgate.capacity.Billing;
import dev.tollgate.capacity.CapacityConfig;
import dev.tollgate.capacity.CapacityRollup;
import dev.tollgate.capacity.CapacityRow;
import dev.tollgate.capacity.CapacityStore;
import dev.tollgate.capacity.Policy;
import dev.tollgate.ledger.RollupZones;
import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.reporting.ChargebackGrouping;
import dev.tollgate.reporting.ChargebackQuery;
import dev.tollgate.routing.DeploymentType;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;
import org.postgresql.ds.PGSimpleDataSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How long allocating a month of provisioned capacity takes over many usage records (20 provisioned deployments, 200
 * apps, some spillover), and how long the month's chargeback report takes with its provisioned lines. Generates the
 * records into an embedded PostgreSQL under bench/out (kept between runs), then times the allocation the way
 * {@code POST /api/capacity/allocate} runs it and the report as {@code /api/chargeback} runs it: first over the hourly
 * allocation lines, then over their daily totals (V11), with the re-allocation that keeps those totals. Run by
 * {@code bench/allocation.sh}; prints figures, asserts nothing.
 */
public final class AllocationBenchmark {

    private static final Logger LOG = Logger.getLogger(AllocationBenchmark.class);
    private static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-01T00:00:00Z");
    private static final int DEPLOYMENTS = 20;
    private static final int CHUNK = 1_000_000;

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        EmbeddedDatabase database = EmbeddedDatabase.startOrGet(Path.of("bench/out/allocation-pg"));
        try {
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl(database.jdbcUrl());
            dataSource.setUser("postgres");
            dataSource.setPassword("postgres");
            Flyway.configure().dataSource(dataSource).load().migrate();
            generate(dataSource, rows);
            new RollupZones(dataSource).add("UTC");
            capacity(dataSource);
            // Zone UTC starts without the capacity allocation's daily totals: the first allocation and reports are
            // as before V11 (reports over the hourly lines); then the totals are added and both timed again.
            execute(dataSource, "truncate capacity_rollup_zone, capacity_daily");
            execute(dataSource, "analyze");
            Allocator allocator = new Allocator(dataSource, CONFIG);
            allocate(dataSource, allocator, "allocated");
            CapacityRollup capacityRollup = new CapacityRollup(dataSource);
            try (AgroalDataSource pool = pool(database.jdbcUrl())) {
                // Reports run over a connection pool, as in the gateway: opening a connection per query would be timed.
                ChargebackQuery query = new ChargebackQuery(pool, new RollupZones(pool), new CapacityRollup(pool),
                        SampleCatalog.USD);
                execute(dataSource, "analyze capacity_allocation");
                report(query, runs, "hourly allocation lines");
                long backfill = System.nanoTime();
                capacityRollup.add("UTC");
                LOG.infof("allocation bench: daily totals of zone UTC computed from %d allocation lines in %.1f s",
                        count(dataSource, "capacity_allocation"), (System.nanoTime() - backfill) / 1e9);
                allocate(dataSource, allocator, "re-allocated, keeping the daily totals,");
                execute(dataSource, "analyze capacity_daily");
                LOG.infof("allocation bench: %d daily totals", count(dataSource, "capacity_daily"));
                report(query, runs, "daily totals");
            }
        } finally {
            database.stop();
        }
    }

    private static void allocate(PGSimpleDataSource dataSource, Allocator allocator, String what) throws SQLException {
        long start = System.nanoTime();
        Allocator.Result result = allocator.allocate(FROM, TO, "bench", false);
        LOG.infof("allocation bench: %s a month over %d records, %d provisioned deployments: %d hours in %.1f s "
                        + "(%d changed), cost %s, %d allocation lines", what, count(dataSource, "usage_record"),
                DEPLOYMENTS, result.hours(), (System.nanoTime() - start) / 1e9, result.changedHours(),
                result.costAfter(), count(dataSource, "capacity_allocation"));
    }

    /** Times the month's report by three groupings, after a first run that warms up. */
    private static void report(ChargebackQuery query, int runs, String source) throws SQLException {
        for (String groupBy : List.of("app", "costCenter,model", "app,day")) {
            List<ChargebackGrouping> groupings = ChargebackGrouping.parse(List.of(groupBy));
            LocalDate from = LocalDate.of(2026, 10, 1);
            LocalDate to = LocalDate.of(2026, 11, 1);
            query.run(from, to, ZoneId.of("UTC"), groupings);
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                long start = System.nanoTime();
                query.run(from, to, ZoneId.of("UTC"), groupings);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(ms);
            LOG.infof("allocation bench: report groupBy=%-18s provisioned cost from %s: p50 %6.1f ms p95 %6.1f ms",
                    groupBy, source, ms[runs / 2], ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)]);
        }
    }

    private static AgroalDataSource pool(String jdbcUrl) throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(pool -> pool
                .maxSize(2).connectionFactoryConfiguration(factory -> factory.jdbcUrl(jdbcUrl)
                        .principal(new NamePrincipal("postgres")).credential(new SimplePassword("postgres")))));
    }

    /** Per deployment: an hourly line resized mid-month, and a monthly reservation; half of them utilization. */
    private static void capacity(PGSimpleDataSource dataSource) throws SQLException {
        List<CapacityRow> rows = new ArrayList<>();
        for (int d = 0; d < DEPLOYMENTS; d++) {
            Policy policy = d % 2 == 0 ? Policy.UTILIZATION : Policy.FULL;
            rows.add(row(d, 50, Billing.HOURLY, "1.00", policy, FROM, Optional.of(Instant.parse("2026-10-15T12:00:00Z"))));
            rows.add(row(d, 100, Billing.HOURLY, "1.00", policy, Instant.parse("2026-10-15T12:00:00Z"), Optional.empty()));
            rows.add(row(d, 100, Billing.MONTHLY, "18000.00", policy, FROM, Optional.empty()));
        }
        new CapacityStore(dataSource, SampleCatalog.USD).add(rows);
    }

    private static CapacityRow row(int d, int ptu, Billing billing, String amount, Policy policy, Instant from,
                                   Optional<Instant> to) {
        return new CapacityRow("ptu-" + d, "gpt-4o-ptu", "gpt-4o", DeploymentType.GLOBAL_PROVISIONED, ptu, billing,
                "USD", new BigDecimal(amount), policy, "cc-platform", from, to, "bench");
    }

    /** 200 apps over 20 provisioned deployments (ptu-0..19) in October; one record in 20 spilled to pay-as-you-go. */
    private static void generate(PGSimpleDataSource dataSource, long rows) throws SQLException {
        long have = count(dataSource, "usage_record");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            while (have < rows) {
                long n = Math.min(CHUNK, rows - have);
                statement.executeUpdate("insert into usage_record (id, occurred_at, app_id, tenant_id, deployment, model, "
                        + "backend_id, region, deployment_type, operation, stream, status, latency_ms, attempts, "
                        + "input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, total_tokens, usage_source, "
                        + "price_id, cost, upstream_deployment, spilled_from_backend, spilled_from_deployment, spilled_status) "
                        + "select gen_random_uuid(), timestamptz '2026-10-01 00:00:00+00' + random() * interval '31 days', "
                        + "'app-' || (g % 200), 'tenant', 'gpt-4o', 'gpt-4o-2024-08-06', "
                        + "case when g % 20 = 0 then 'payg' else 'ptu-' || (g % " + DEPLOYMENTS + ") end, "
                        + "'swedencentral', case when g % 20 = 0 then 'global' else 'global-provisioned' end, "
                        + "'chat/completions', false, 200, 300, case when g % 20 = 0 then 2 else 1 end, "
                        + "i, i / 4, o, 0, i + o, 'reported', null, case when g % 20 = 0 then (i * 2.5 + o * 10) / 1000000 "
                        + "else 0 end, 'gpt-4o-ptu', case when g % 20 = 0 then 'ptu-' || (g / 20 % " + DEPLOYMENTS
                        + ") end, case when g % 20 = 0 then 'gpt-4o-ptu' end, case when g % 20 = 0 then 429 end "
                        + "from (select g, 100 + (random() * 3000)::int as i, (random() * 800)::int as o "
                        + "from generate_series(" + have + ", " + (have + n - 1) + ") g) r");
                have += n;
                LOG.infof("allocation bench: generated %d of %d records", have, rows);
            }
        }
    }

    private static void execute(PGSimpleDataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long count(PGSimpleDataSource dataSource, String table) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select count(*) from " + table)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Default settings with the shipped gpt-4o weights (application.properties). */
    private static final CapacityConfig CONFIG = new CapacityConfig() {
        @Override
        public List<String> seedFiles() {
            return List.of();
        }

        @Override
        public String idleOwner() {
            return "cc-platform";
        }

        @Override
        public Duration allocateEvery() {
            return Duration.ZERO;
        }

        @Override
        public Map<String, ModelWeights> models() {
            return Map.of("gpt-4o", weights(3, 2_500L));
        }

        @Override
        public ModelWeights defaultWeights() {
            return weights(4, null);
        }
    };

    private static CapacityConfig.ModelWeights weights(int output, Long tokensPerMinutePerPtu) {
        return new CapacityConfig.ModelWeights() {
            @Override
            public BigDecimal inputWeight() {
                return BigDecimal.ONE;
            }

            @Override
            public BigDecimal cachedInputWeight() {
                return BigDecimal.ZERO;
            }

            @Override
            public BigDecimal outputWeight() {
                return BigDecimal.valueOf(output);
            }

            @Override
            public Optional<Long> inputTokensPerMinutePerPtu() {
                return Optional.ofNullable(tokensPerMinutePerPtu);
            }
        };
    }
}
