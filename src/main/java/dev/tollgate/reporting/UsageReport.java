package dev.tollgate.reporting;

import java.time.Instant;
import java.util.List;

/**
 * Token totals over a period, grouped one way, with their grand total.
 *
 * @param from    start of the period, inclusive
 * @param to      end of the period, exclusive
 * @param groupBy the grouping of the rows
 */
public record UsageReport(Instant from, Instant to, String groupBy, List<Row> rows, Totals total) {

    /** One group's totals. */
    public record Row(String key, Totals totals) {
    }

    /** Request count and token sums; cached input is part of input, reasoning part of output. */
    public record Totals(long requests, long inputTokens, long cachedInputTokens, long outputTokens,
                         long reasoningTokens, long totalTokens) {

        static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0);

        Totals plus(Totals other) {
            return new Totals(requests + other.requests, inputTokens + other.inputTokens,
                    cachedInputTokens + other.cachedInputTokens, outputTokens + other.outputTokens,
                    reasoningTokens + other.reasoningTokens, totalTokens + other.totalTokens);
        }
    }
}
