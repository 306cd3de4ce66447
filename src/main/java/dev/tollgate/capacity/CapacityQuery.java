package dev.tollgate.capacity;

import dev.tollgate.pricing.PricingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads {@code capacity_hour} for the capacity report. */
@ApplicationScoped
public class CapacityQuery {

    private final DataSource dataSource;
    private final PricingConfig pricing;

    public CapacityQuery(DataSource dataSource, PricingConfig pricing) {
        this.dataSource = dataSource;
        this.pricing = pricing;
    }

    public CapacityReport run(Instant from, Instant to) throws SQLException {
        Map<DeploymentKey, List<CapacityReport.Hour>> byDeployment = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select backend_id, deployment, hour, ptu, "
                     + "capacity_tokens, weighted_tokens, requests, cost, allocated_cost, idle_cost, spilled_requests, "
                     + "spilled_tokens from capacity_hour where hour >= ? and hour < ? order by 1, 2, 3")) {
            query.setObject(1, from.atOffset(ZoneOffset.UTC));
            query.setObject(2, to.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    BigDecimal capacity = row.getBigDecimal(5);
                    BigDecimal weighted = row.getBigDecimal(6);
                    byDeployment.computeIfAbsent(new DeploymentKey(row.getString(1), row.getString(2)),
                            k -> new ArrayList<>()).add(new CapacityReport.Hour(
                            row.getObject(3, OffsetDateTime.class).toInstant(), row.getInt(4), capacity, weighted,
                            ratio(weighted, capacity), row.getLong(7), row.getBigDecimal(8), row.getBigDecimal(9),
                            row.getBigDecimal(10), row.getLong(11), row.getLong(12)));
                }
            }
        }
        List<CapacityReport.Deployment> deployments = new ArrayList<>();
        byDeployment.forEach((key, hours) -> deployments.add(
                new CapacityReport.Deployment(key.backendId(), key.deployment(), hours, totals(hours))));
        return new CapacityReport(from, to, pricing.currency(), deployments);
    }

    private static CapacityReport.Totals totals(List<CapacityReport.Hour> hours) {
        BigDecimal capacity = BigDecimal.ZERO;
        BigDecimal weightedOfKnown = BigDecimal.ZERO;
        BigDecimal weighted = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal allocated = BigDecimal.ZERO;
        BigDecimal idle = BigDecimal.ZERO;
        long requests = 0;
        long spilledRequests = 0;
        long spilledTokens = 0;
        for (CapacityReport.Hour hour : hours) {
            if (hour.capacityTokens() != null) {
                capacity = capacity.add(hour.capacityTokens());
                weightedOfKnown = weightedOfKnown.add(hour.weightedTokens());
            }
            weighted = weighted.add(hour.weightedTokens());
            cost = cost.add(hour.cost());
            allocated = allocated.add(hour.allocatedCost());
            idle = idle.add(hour.idleCost());
            requests += hour.requests();
            spilledRequests += hour.spilledRequests();
            spilledTokens += hour.spilledTokens();
        }
        return new CapacityReport.Totals(hours.size(), capacity, weighted, ratio(weightedOfKnown, capacity), requests,
                cost, allocated, idle, spilledRequests, spilledTokens);
    }

    private static BigDecimal ratio(BigDecimal used, BigDecimal capacity) {
        return capacity == null || capacity.signum() == 0 ? null : used.divide(capacity, 4, RoundingMode.HALF_EVEN);
    }
}
