package dev.tollgate.admission.engine;

import dev.tollgate.admission.rules.Period;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;

/**
 * One calendar period's totals for a rule and subject: this replica's own (tokens settled or reserved, exact cost of
 * settled requests, estimated cost of those in flight) and the sums of every other replica's for the same period, as
 * last read. A new period starts from zero. Not thread-safe: its {@link Tally} guards it.
 */
final class PeriodTally {

    final Period period;
    private final ZoneId zone;
    long start;
    long end;
    long tokens;
    long requests;
    BigDecimal cost = BigDecimal.ZERO;
    BigDecimal inflightCost = BigDecimal.ZERO;
    boolean dirty;
    /** Thresholds already alerted this period (bit i: the rule's i-th threshold), for tokens and for cost. */
    int alertedTokens;
    int alertedCost;

    private long othersStart = Long.MIN_VALUE;
    private long othersTokens;
    private long othersRequests;
    private BigDecimal othersCost = BigDecimal.ZERO;
    private BigDecimal othersInflight = BigDecimal.ZERO;

    PeriodTally(Period period, ZoneId zone, long nowMillis) {
        this.period = period;
        this.zone = zone;
        begin(nowMillis);
    }

    /** Moves to the period holding {@code nowMillis} if this one is over. */
    void roll(long nowMillis) {
        if (nowMillis >= end || nowMillis < start) {
            begin(nowMillis);
        }
    }

    private void begin(long nowMillis) {
        Instant startInstant = period.start(Instant.ofEpochMilli(nowMillis), zone);
        start = startInstant.toEpochMilli();
        end = period.next(startInstant, zone).toEpochMilli();
        tokens = 0;
        requests = 0;
        cost = BigDecimal.ZERO;
        inflightCost = BigDecimal.ZERO;
        alertedTokens = 0;
        alertedCost = 0;
        dirty = true;
    }

    long clusterTokens() {
        return tokens + (othersStart == start ? othersTokens : 0);
    }

    long clusterRequests() {
        return requests + (othersStart == start ? othersRequests : 0);
    }

    /** Exact cost of settled requests plus the estimate of those in flight, cluster-wide. */
    BigDecimal clusterSpent() {
        BigDecimal spent = cost.add(inflightCost);
        return othersStart == start ? spent.add(othersCost).add(othersInflight) : spent;
    }

    BigDecimal clusterExact() {
        return othersStart == start ? cost.add(othersCost) : cost;
    }

    BigDecimal clusterInflight() {
        return othersStart == start ? inflightCost.add(othersInflight) : inflightCost;
    }

    void others(long periodStart, long othersTokenCount, long othersRequestCount, BigDecimal othersExact,
                BigDecimal othersInflightCost) {
        othersStart = periodStart;
        othersTokens = othersTokenCount;
        othersRequests = othersRequestCount;
        othersCost = othersExact;
        othersInflight = othersInflightCost;
    }

    void clearOthers() {
        othersStart = Long.MIN_VALUE;
    }
}
