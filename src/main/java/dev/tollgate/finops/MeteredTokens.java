package dev.tollgate.finops;

import dev.tollgate.reporting.ChargebackGrouping;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tokens metered over UTC days, by day, backend, served model and the price row that priced them (and by app
 * when asked), with that row. It reads the usage records rather than the daily rollups because a charge states its
 * unit price, and the rollups keep a day's cost without the rows that made it (a price can change within a day).
 * Records without tokens are left out: they cost nothing.
 */
@ApplicationScoped
public class MeteredTokens {

    private final DataSource dataSource;

    public MeteredTokens(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Usage of the UTC days [from, to), by app as well if {@code byApp}. */
    public List<MeteredUsage> between(LocalDate from, LocalDate to, boolean byApp) throws SQLException {
        List<MeteredUsage> usage = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql(byApp))) {
            statement.setObject(1, from.atStartOfDay().atOffset(ZoneOffset.UTC));
            statement.setObject(2, to.atStartOfDay().atOffset(ZoneOffset.UTC));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    usage.add(read(row, byApp));
                }
            }
        }
        return usage;
    }

    private static String sql(boolean byApp) {
        String app = byApp ? "r.app_id" : "''";
        String sums = "select (r.occurred_at at time zone 'UTC')::date as day, " + app + " as app_id, "
                + "coalesce(r.backend_id, '') as backend_id, r.model, coalesce(r.deployment_type, '') as deployment_type, "
                + "coalesce(r.region, '') as region, r.price_id, "
                + "sum(r.input_tokens - least(r.cached_input_tokens, r.input_tokens)) as uncached_input, "
                + "sum(least(r.cached_input_tokens, r.input_tokens)) as cached_input, "
                + "sum(r.output_tokens) as output, sum(r.reasoning_tokens) as reasoning "
                + "from usage_record r where r.occurred_at >= ? and r.occurred_at < ? "
                + "and (r.input_tokens > 0 or r.output_tokens > 0) group by 1, 2, 3, 4, 5, 6, 7";
        String unregistered = "'" + ChargebackGrouping.UNREGISTERED + "'";
        return "select u.*, p.model as price_model, p.model_version, p.deployment_type as price_type, p.region as "
                + "price_region, p.currency, p.input_per_1m, p.cached_input_per_1m, p.output_per_1m, "
                + "coalesce(a.display_name, " + unregistered + ") as app_name, "
                + "coalesce(a.business_unit, " + unregistered + ") as business_unit, "
                + "coalesce(a.cost_center, " + unregistered + ") as cost_center "
                + "from (" + sums + ") u left join price p on p.id = u.price_id "
                + "left join app a on a.app_id = u.app_id "
                + "order by u.day, u.app_id, u.backend_id, u.model, u.price_id";
    }

    private static MeteredUsage read(ResultSet row, boolean byApp) throws SQLException {
        long priceId = row.getLong("price_id");
        Optional<AppliedPrice> price = row.wasNull() ? Optional.empty() : Optional.of(new AppliedPrice(priceId,
                row.getString("price_model"), Optional.ofNullable(row.getString("model_version")),
                row.getString("price_type"), Optional.ofNullable(row.getString("price_region")),
                row.getString("currency"), row.getBigDecimal("input_per_1m"),
                Optional.ofNullable(row.getBigDecimal("cached_input_per_1m")), row.getBigDecimal("output_per_1m")));
        Optional<MeteredUsage.AppOwner> app = byApp
                ? Optional.of(new MeteredUsage.AppOwner(row.getString("app_id"), row.getString("app_name"),
                        row.getString("business_unit"), row.getString("cost_center")))
                : Optional.empty();
        return new MeteredUsage(row.getObject("day", LocalDate.class), app, row.getString("backend_id"),
                Optional.ofNullable(row.getString("model")), row.getString("deployment_type"),
                row.getString("region"), price, row.getLong("uncached_input"), row.getLong("cached_input"),
                row.getLong("output"), row.getLong("reasoning"));
    }
}
