package dev.tollgate.capacity;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Per provisioned deployment, each UTC hour of a period: what it could serve, what it served, what it cost and who
 * paid, and what spilled over to other deployments. What a platform team reads to buy more PTUs or fewer.
 */
public record CapacityReport(Instant from, Instant to, String currency, List<Deployment> deployments) {

    public record Deployment(String backend, String deployment, List<Hour> hours, Totals total) {
    }

    /**
     * @param capacityTokens weighted tokens the hour's PTUs serve at full utilisation, null if the family's throughput
     *                       is not configured
     * @param utilisation    weightedTokens / capacityTokens (four decimals; above 1 if Azure let more through)
     * @param spilledRequests requests this deployment refused that another one then served
     */
    public record Hour(Instant hour, int ptu, BigDecimal capacityTokens, BigDecimal weightedTokens,
                       BigDecimal utilisation, long requests, BigDecimal cost, BigDecimal allocatedCost,
                       BigDecimal idleCost, long spilledRequests, long spilledTokens) {
    }

    /** @param utilisation the period's weighted tokens over its capacity, over the hours whose capacity is known */
    public record Totals(long hours, BigDecimal capacityTokens, BigDecimal weightedTokens, BigDecimal utilisation,
                         long requests, BigDecimal cost, BigDecimal allocatedCost, BigDecimal idleCost,
                         long spilledRequests, long spilledTokens) {
    }
}
