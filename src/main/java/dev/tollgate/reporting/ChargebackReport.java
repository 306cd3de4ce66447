package dev.tollgate.reporting;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What a period cost, grouped as asked, with the grand total. Costs are exact sums of each record's exact cost in the
 * catalog's currency; tokens of requests no price applied to are counted apart as unpriced, never as zero cost.
 *
 * @param from    first local day, inclusive
 * @param to      last local day, exclusive
 * @param tz      the time zone days are counted in
 * @param source  {@code rollups} (the daily rollups of that zone) or {@code records} (summed from usage records)
 */
public record ChargebackReport(LocalDate from, LocalDate to, String tz, String currency, List<String> groupBy,
                               String source, List<Row> rows, Figures total) {

    /**
     * One group: its key columns (as named by the grouping) and its figures. A group of idle provisioned capacity
     * names the {@code owner} it is charged to and the {@code reason}; other groups have neither.
     */
    public record Row(Map<String, String> group, @JsonInclude(JsonInclude.Include.NON_NULL) String owner,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String reason, @JsonUnwrapped Figures figures) {
    }

    /**
     * The sums of one group.
     *
     * @param cost              what the group is charged: {@code paygCost} + {@code provisionedCost}
     * @param paygCost          its tokens priced pay-as-you-go (spilled requests included)
     * @param provisionedCost   its share of provisioned capacity, allocated hourly (docs/chargeback.md)
     * @param estimatedRequests requests whose usage the upstream did not report, counted with a tokenizer
     * @param estimatedShare    the share of total tokens that were estimated (0 to 1, four decimals), null if no tokens
     * @param missingRequests   requests whose usage could not be known at all (no tokens counted)
     * @param unpricedRequests  requests with tokens but no price in force for their model, type and region
     * @param unpricedTokens    those requests' total tokens (not in {@code cost})
     */
    public record Figures(long requests, long inputTokens, long cachedInputTokens, long outputTokens,
                          long reasoningTokens, long totalTokens, BigDecimal cost, BigDecimal paygCost,
                          BigDecimal provisionedCost, long estimatedRequests, BigDecimal estimatedShare,
                          long missingRequests, long unpricedRequests, long unpricedTokens) {

        static Figures of(long requests, long inputTokens, long cachedInputTokens, long outputTokens,
                          long reasoningTokens, long totalTokens, BigDecimal paygCost, BigDecimal provisionedCost,
                          long estimatedRequests, long estimatedTokens, long missingRequests, long unpricedRequests,
                          long unpricedTokens) {
            BigDecimal share = totalTokens == 0 ? null : BigDecimal.valueOf(estimatedTokens)
                    .divide(BigDecimal.valueOf(totalTokens), 4, RoundingMode.HALF_EVEN);
            return new Figures(requests, inputTokens, cachedInputTokens, outputTokens, reasoningTokens, totalTokens,
                    paygCost.add(provisionedCost), paygCost, provisionedCost, estimatedRequests, share,
                    missingRequests, unpricedRequests, unpricedTokens);
        }
    }
}
