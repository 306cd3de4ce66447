package dev.tollgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.ledger.RollupZones;
import dev.tollgate.metering.RequestIds;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.ScratchDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * Every query of dashboards/grafana/tollgate-finance.json, run against the real schema (Flyway's migrations in the
 * embedded PostgreSQL) over records the real writer priced and rolled up, with Grafana's macros and variables
 * expanded as Grafana's PostgreSQL data source does. A schema change that breaks a panel fails here; so does a panel
 * whose figures are wrong.
 */
class FinanceDashboardSqlTest {

    private static final Path DASHBOARD = Path.of("dashboards/grafana/tollgate-finance.json");
    /** The time range: April 2026 and May up to the 20th (inclusive: Grafana's range ends on that day). */
    private static final String FROM = "'2026-04-01T00:00:00Z'";
    private static final String TO = "'2026-05-20T00:00:00Z'";
    private static final BigDecimal TWO = new BigDecimal("2");

    private static ScratchDatabase database;
    private static JsonNode dashboard;

    @BeforeAll
    static void writeTwoMonths() throws Exception {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        database = new ScratchDatabase("dashboard");
        new RollupZones(database.dataSource()).add("UTC");
        execute("insert into price (model, deployment_type, currency, input_per_1m, output_per_1m, effective_from, "
                + "source) values ('gpt-4o', 'global', 'USD', 1, 2, '2025-01-01T00:00:00Z', 'test')");
        execute("insert into app (app_id, display_name, business_unit, cost_center) values "
                + "('app-retail', 'Retail bot', 'Retail', 'CC-1'), ('app-fin', 'Ledger helper', 'Finance', 'CC-2')");
        execute("insert into app_directory (app_id, found, display_name) values ('app-graph', true, 'Graph Named App'), "
                + "('app-none', false, null)");
        // Each priced record: 1M input at 1 and 0.5M output at 2 per million = 2.
        List<UsageRecord> records = new ArrayList<>();
        records.add(record("app-retail", "2026-04-10T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        for (String day : List.of("2026-05-02", "2026-05-03", "2026-05-04")) {
            records.add(record("app-retail", day + "T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        }
        records.add(record("app-fin", "2026-04-11T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        records.add(record("app-fin", "2026-04-12T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        records.add(record("app-fin", "2026-05-05T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.ESTIMATED));
        records.add(record("app-graph", "2026-05-06T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        records.add(record("app-none", "2026-05-07T10:00:00Z", "no-price-model", UsageSource.REPORTED));
        // Outside the range: in no figure.
        records.add(record("app-retail", "2026-03-31T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        records.add(record("app-retail", "2026-05-21T10:00:00Z", "gpt-4o-2024-08-06", UsageSource.REPORTED));
        database.write(records);
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    private static UsageRecord record(String app, String at, String model, UsageSource source) {
        return new UsageRecord(RequestIds.next(), Instant.parse(at), app, "tenant", "chat", model, "sim-1",
                "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200, 40, 1,
                new Usage(1_000_000, 0, 500_000, 0, 1_500_000, source), null, null);
    }

    @Test
    void everyPanelAndVariableQueryRunsOnTheSchema() throws Exception {
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            assertThat(panel.get("datasource").get("type").asText()).isEqualTo("grafana-postgresql-datasource");
            query(panel.get("title").asText(), allBusinessUnits());
        }
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.get("type").asText().equals("query")) {
                assertThat(rows(expand(variable.get("query").asText(), allBusinessUnits()))).isNotEmpty();
            }
        }
        assertThat(titles).contains("Cost", "Estimated share", "Unpriced share", "Cost by business unit",
                "Cost by app", "Cost by model", "Top movers, month on month");
    }

    @Test
    void theStatsAreTheRangesCostAndShares() throws Exception {
        assertThat(single("Cost")).isEqualByComparingTo("16"); // 8 priced records of 2; the unpriced one adds 0
        // One estimated record of 1.5M tokens, one unpriced of 1.5M, out of 9 records of 1.5M each.
        assertThat(single("Estimated share").doubleValue()).isCloseTo(1.0 / 9, offset(1e-9));
        assertThat(single("Unpriced share").doubleValue()).isCloseTo(1.0 / 9, offset(1e-9));
        assertThat(single("Unpriced requests")).isEqualByComparingTo("1");
    }

    @Test
    void seriesSumToEachGroupsCost() throws Exception {
        assertThat(sumByMetric("Cost by business unit")).containsOnly(Map.entry("Retail", new BigDecimal("8")),
                Map.entry("Finance", new BigDecimal("6")), Map.entry("(unregistered)", TWO));
        assertThat(sumByMetric("Cost by app")).containsOnly(Map.entry("Retail bot", new BigDecimal("8")),
                Map.entry("Ledger helper", new BigDecimal("6")), Map.entry("Graph Named App", TWO),
                Map.entry("app-none", BigDecimal.ZERO));
        assertThat(sumByMetric("Cost by model")).containsOnly(Map.entry("gpt-4o-2024-08-06", new BigDecimal("16")),
                Map.entry("no-price-model", BigDecimal.ZERO));
    }

    @Test
    void topMoversCompareTheRangesLastMonthWithTheMonthBefore() throws Exception {
        List<Map<String, Object>> movers = query("Top movers, month on month", allBusinessUnits());
        assertThat(movers).extracting(row -> row.get("app")).containsExactly("Retail bot", "Graph Named App",
                "Ledger helper", "app-none");
        Map<String, Object> retail = movers.get(0);
        assertThat((BigDecimal) retail.get("last_month")).isEqualByComparingTo("2");
        assertThat((BigDecimal) retail.get("this_month")).isEqualByComparingTo("6");
        assertThat((BigDecimal) retail.get("change")).isEqualByComparingTo("4");
        assertThat((BigDecimal) retail.get("change_pct")).isEqualByComparingTo("200.0");
        assertThat(movers.get(1).get("change_pct")).isNull(); // nothing the month before
        assertThat((BigDecimal) movers.get(2).get("change_pct")).isEqualByComparingTo("-50.0");
    }

    @Test
    void theBusinessUnitVariableFiltersEveryFigure() throws Exception {
        List<Map<String, Object>> cost = query("Cost", "'Retail'");
        assertThat((BigDecimal) cost.get(0).get("cost")).isEqualByComparingTo("8");
        assertThat(query("Top movers, month on month", "'(unregistered)'")).extracting(row -> row.get("app"))
                .containsExactly("Graph Named App", "app-none");
    }

    private static BigDecimal single(String title) throws SQLException {
        Map<String, Object> row = query(title, allBusinessUnits()).get(0);
        Object value = row.values().iterator().next();
        return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
    }

    private static Map<String, BigDecimal> sumByMetric(String title) throws SQLException {
        Map<String, BigDecimal> sums = new LinkedHashMap<>();
        for (Map<String, Object> row : query(title, allBusinessUnits())) {
            assertThat(row.get("time")).isNotNull();
            sums.merge((String) row.get("metric"), (BigDecimal) row.get("cost"), BigDecimal::add);
        }
        sums.replaceAll((metric, sum) -> sum.stripTrailingZeros());
        return sums;
    }

    /** The business units the variable offers, as Grafana's sqlstring format writes "All" of a multi-value variable. */
    private static String allBusinessUnits() throws SQLException {
        for (JsonNode variable : dashboard.get("templating").get("list")) {
            if (variable.get("name").asText().equals("business_unit")) {
                return rows(variable.get("query").asText()).stream()
                        .map(row -> "'" + row.values().iterator().next().toString().replace("'", "''") + "'")
                        .collect(Collectors.joining(","));
            }
        }
        throw new AssertionError("no business_unit variable");
    }

    private static List<Map<String, Object>> query(String title, String businessUnits) throws SQLException {
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("title").asText().equals(title)) {
                return rows(expand(panel.get("targets").get(0).get("rawSql").asText(), businessUnits));
            }
        }
        throw new AssertionError("no panel " + title);
    }

    /** Grafana's expansion: its time macros as quoted RFC 3339 instants, then the variables. */
    private static String expand(String sql, String businessUnits) {
        String expanded = sql.replace("$__timeFrom()", FROM).replace("$__timeTo()", TO)
                .replace("${zone}", "UTC").replace("${business_unit:sqlstring}", businessUnits);
        assertThat(expanded).as("a macro or variable the test does not expand").doesNotContain("$");
        return expanded;
    }

    private static List<Map<String, Object>> rows(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    row.put(result.getMetaData().getColumnLabel(i), result.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
