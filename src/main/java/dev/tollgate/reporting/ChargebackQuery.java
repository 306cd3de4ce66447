package dev.tollgate.reporting;

import dev.tollgate.capacity.AllocatedCost;
import dev.tollgate.capacity.CapacityRollup;
import dev.tollgate.ledger.DailyRollup;
import dev.tollgate.ledger.RollupZones;
import dev.tollgate.pricing.PricingConfig;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Runs a chargeback report in the database: over the daily rollups of the report's time zone when it has them, else
 * over the usage records of the period aggregated the same way on the fly (same figures, slower), together with the
 * provisioned capacity allocated over the period: its daily totals in the zone ({@link CapacityRollup}) when they are
 * kept, else the hourly allocation lines ({@link AllocatedCost}); idle capacity forms groups of its own, one per
 * owner. The groups and the grand total come from one query ({@code grouping sets}), so they cannot disagree.
 */
@ApplicationScoped
public class ChargebackQuery {

    /** The rollup rows of the period summed by the columns the groupings need: a few hundred rows, typically. */
    private static final String PERIOD_SUMS = "sum(r.requests) as requests, sum(r.input_tokens) as input_tokens, "
            + "sum(r.cached_input_tokens) as cached_input_tokens, sum(r.output_tokens) as output_tokens, "
            + "sum(r.reasoning_tokens) as reasoning_tokens, sum(r.total_tokens) as total_tokens, sum(r.cost) as cost, "
            + "sum(r.provisioned_cost) as provisioned_cost, "
            + "sum(r.estimated_requests) as estimated_requests, sum(r.estimated_tokens) as estimated_tokens, "
            + "sum(r.missing_requests) as missing_requests, "
            + "coalesce(sum(r.requests) filter (where not r.priced), 0) as unpriced_requests, "
            + "coalesce(sum(r.total_tokens) filter (where not r.priced), 0) as unpriced_tokens";
    /** Those sums summed per group, in {@link ChargebackReport.Figures} order (estimated tokens feeds the share). */
    private static final String SUMS = "sum(d.requests), sum(d.input_tokens), sum(d.cached_input_tokens), "
            + "sum(d.output_tokens), sum(d.reasoning_tokens), sum(d.total_tokens), coalesce(sum(d.cost), 0), "
            + "sum(d.estimated_requests), sum(d.estimated_tokens), sum(d.missing_requests), "
            + "sum(d.unpriced_requests), sum(d.unpriced_tokens), coalesce(sum(d.provisioned_cost), 0)";
    /** The pay-as-you-go rows (rollups or records) with the columns the allocation lines add. */
    private static final String PAY_AS_YOU_GO = "select zone, day, app_id, model, deployment, backend_id, priced, "
            + "user_id, null::text as owner, requests, estimated_requests, missing_requests, input_tokens, cached_input_tokens, "
            + "output_tokens, reasoning_tokens, total_tokens, estimated_tokens, cost, 0::numeric as provisioned_cost "
            + "from ";
    private static final String RECORDS_OF_PERIOD = "(select * from usage_record where occurred_at >= ? and occurred_at < ?)";

    private final DataSource dataSource;
    private final RollupZones zones;
    private final CapacityRollup capacity;
    private final PricingConfig pricing;

    public ChargebackQuery(DataSource dataSource, RollupZones zones, CapacityRollup capacity, PricingConfig pricing) {
        this.dataSource = dataSource;
        this.zones = zones;
        this.capacity = capacity;
        this.pricing = pricing;
    }

    /** The report of local days [from, to) in the zone. */
    public ChargebackReport run(LocalDate from, LocalDate to, ZoneId zone, List<ChargebackGrouping> groupBy)
            throws SQLException {
        boolean fromRollups = zones.ready().contains(zone.getId());
        boolean capacityFromRollups = capacity.zones().contains(zone.getId());
        List<ChargebackGrouping.Column> columns = groupBy.stream().flatMap(g -> g.columns().stream()).toList();
        String sql = sql(groupBy, columns, fromRollups, capacityFromRollups);

        List<ChargebackReport.Row> rows = new ArrayList<>();
        ChargebackReport.Figures total = null;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            int parameter = 1;
            OffsetDateTime start = from.atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
            OffsetDateTime end = to.atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
            if (!fromRollups) {
                statement.setObject(parameter++, start);
                statement.setObject(parameter++, end);
                statement.setString(parameter++, zone.getId());
            }
            if (!capacityFromRollups) {
                statement.setString(parameter++, zone.getId());
                statement.setString(parameter++, zone.getId());
                statement.setObject(parameter++, start);
                statement.setObject(parameter++, end);
            }
            statement.setString(parameter++, zone.getId());
            statement.setObject(parameter++, from);
            statement.setObject(parameter, to);
            try (ResultSet result = statement.executeQuery()) {
                // Group columns, then (when grouped) the idle owner, then grouping(), then the figures.
                int grouping = columns.isEmpty() ? 1 : columns.size() + 2;
                while (result.next()) {
                    ChargebackReport.Figures figures = figures(result, grouping + 1);
                    boolean isTotal = columns.isEmpty() || result.getInt(grouping) != 0;
                    if (isTotal) {
                        total = figures;
                    } else {
                        Map<String, String> group = new LinkedHashMap<>();
                        for (int i = 0; i < columns.size(); i++) {
                            group.put(columns.get(i).name(), result.getString(i + 1));
                        }
                        String owner = result.getString(columns.size() + 1);
                        rows.add(new ChargebackReport.Row(group, owner,
                                owner == null ? null : AllocatedCost.IDLE_REASON, figures));
                    }
                }
            }
        }
        return new ChargebackReport(from, to, zone.getId(), pricing.currency(),
                groupBy.stream().map(ChargebackGrouping::parameter).toList(),
                fromRollups ? "rollups" : "records", rows, total);
    }

    /** Groups and grand total in one statement over the period's rollup rows (or records, aggregated alike). */
    private static String sql(List<ChargebackGrouping> groupBy, List<ChargebackGrouping.Column> columns,
                              boolean fromRollups, boolean capacityFromRollups) {
        String keys = columns.stream().map(ChargebackGrouping.Column::sql).collect(Collectors.joining(", "));
        String payAsYouGo = fromRollups
                ? "usage_daily"
                : "(" + DailyRollup.aggregate(RECORDS_OF_PERIOD, "(select ?::text as zone)", 1) + ") p";
        String source = "(" + PAY_AS_YOU_GO + payAsYouGo + " union all "
                + (capacityFromRollups ? CapacityRollup.AS_ROLLUP_ROWS : AllocatedCost.AS_ROLLUP_ROWS) + ")";
        // Summing the rollup rows down to the needed columns first keeps the join and the grouping sets small; a
        // report by month without days sums each month's days into its first.
        boolean byDay = groupBy.contains(ChargebackGrouping.DAY);
        List<String> needed = Stream.concat(groupBy.stream()
                .map(g -> g == ChargebackGrouping.MONTH && !byDay
                        ? "date_trunc('month', r.day)::date as day"
                        : "r." + g.rollupColumn() + " as " + g.rollupColumn()),
                        Stream.of("r.owner as owner"))
                .distinct().toList();
        String positions = IntStream.rangeClosed(1, needed.size()).mapToObj(String::valueOf)
                .collect(Collectors.joining(", "));
        String period = "select " + (needed.isEmpty() ? "" : String.join(", ", needed) + ", ") + PERIOD_SUMS
                + " from " + source + " r where r.zone = ? and r.day >= ? and r.day < ?"
                + (needed.isEmpty() ? "" : " group by " + positions);
        boolean registry = groupBy.stream().anyMatch(ChargebackGrouping::fromRegistry);
        return "select " + (columns.isEmpty() ? "" : keys + ", d.owner, ")
                + (columns.isEmpty() ? "1" : "grouping(" + keys + ")") + ", " + SUMS
                + " from (" + period + ") d" + (registry ? " left join app a on a.app_id = d.app_id"
                + " left join app_directory g on g.app_id = d.app_id and g.found" : "")
                + " group by " + (columns.isEmpty() ? "()" : "grouping sets ((" + keys + ", d.owner), ())")
                + " order by " + (columns.isEmpty() ? "1" : (columns.size() + 2) + ", d.owner nulls first, " + keys);
    }

    private static ChargebackReport.Figures figures(ResultSet result, int first) throws SQLException {
        return ChargebackReport.Figures.of(result.getLong(first), result.getLong(first + 1),
                result.getLong(first + 2), result.getLong(first + 3), result.getLong(first + 4),
                result.getLong(first + 5), result.getBigDecimal(first + 6), result.getBigDecimal(first + 12),
                result.getLong(first + 7), result.getLong(first + 8), result.getLong(first + 9),
                result.getLong(first + 10), result.getLong(first + 11));
    }
}
