package dev.tollgate.finops;

import dev.tollgate.capacity.Billing;
import dev.tollgate.reporting.ChargebackGrouping;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.math.BigDecimal;
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
 * The provisioned capacity allocated over UTC days, per day, capacity row and app (or idle owner), with the row: the
 * allocation lines of the day's hours summed, so the shares of a period add up to exactly what its capacity cost
 * (docs/chargeback.md#provisioned-throughput).
 */
@ApplicationScoped
public class AllocatedCapacity {

    private static final String SQL = "select u.*, c.backend_id, c.deployment, c.model, c.deployment_type, c.ptu, "
            + "c.billing, c.currency, c.amount, "
            + "coalesce(a.display_name, '" + ChargebackGrouping.UNREGISTERED + "') as app_name, "
            + "coalesce(a.business_unit, '" + ChargebackGrouping.UNREGISTERED + "') as business_unit, "
            + "coalesce(a.cost_center, '" + ChargebackGrouping.UNREGISTERED + "') as cost_center "
            + "from (select (l.hour at time zone 'UTC')::date as day, l.capacity_id, l.app_id, l.idle_owner, "
            + "sum(l.weighted_tokens) as weighted_tokens, sum(l.cost) as cost from capacity_allocation l "
            + "where l.hour >= ? and l.hour < ? group by 1, 2, 3, 4) u "
            + "join capacity c on c.id = u.capacity_id left join app a on a.app_id = u.app_id "
            + "order by u.day, u.capacity_id, u.idle_owner nulls first, u.app_id";

    private final DataSource dataSource;

    public AllocatedCapacity(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * One app's share of a capacity row over a UTC day, or the row's idle capacity that day.
     *
     * @param app            the app that used it; empty for the idle share
     * @param idleOwner      whom the idle share is charged to; empty for an app's share
     * @param weightedTokens the app's weighted tokens (0 for the idle share)
     * @param cost           the share's cost, in the catalog's currency
     */
    public record Share(LocalDate day, long capacityId, String backendId, String deployment, String model,
                        String deploymentType, int ptu, Billing billing, String currency, BigDecimal amount,
                        Optional<MeteredUsage.AppOwner> app, Optional<String> idleOwner, BigDecimal weightedTokens,
                        BigDecimal cost) {
    }

    /** The shares of the UTC days [from, to). */
    public List<Share> between(LocalDate from, LocalDate to) throws SQLException {
        List<Share> shares = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(SQL)) {
            statement.setObject(1, from.atStartOfDay().atOffset(ZoneOffset.UTC));
            statement.setObject(2, to.atStartOfDay().atOffset(ZoneOffset.UTC));
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    Optional<String> idleOwner = Optional.ofNullable(row.getString("idle_owner"));
                    Optional<MeteredUsage.AppOwner> app = idleOwner.isPresent() ? Optional.empty()
                            : Optional.of(new MeteredUsage.AppOwner(row.getString("app_id"), row.getString("app_name"),
                                    row.getString("business_unit"), row.getString("cost_center")));
                    shares.add(new Share(row.getObject("day", LocalDate.class), row.getLong("capacity_id"),
                            row.getString("backend_id"), row.getString("deployment"), row.getString("model"),
                            row.getString("deployment_type"), row.getInt("ptu"), Billing.parse(row.getString("billing")),
                            row.getString("currency"), row.getBigDecimal("amount"), app, idleOwner,
                            row.getBigDecimal("weighted_tokens"), row.getBigDecimal("cost")));
                }
            }
        }
        return shares;
    }
}
