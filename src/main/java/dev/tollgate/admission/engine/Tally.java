package dev.tollgate.admission.engine;

import dev.tollgate.admission.Refused;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.Period;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * The counts of one rule for one subject (an app, a business unit or a cost center): its rolling minute and its
 * calendar periods, created as the rule first needs them. Every method holds the tally's own lock for a few
 * arithmetic steps; no I/O ever happens under it, so the event loop only ever waits for another event loop's
 * arithmetic on the same subject.
 */
public final class Tally {

    private final String ruleId;
    private final String subject;
    private final ZoneId zone;
    private RateWindow window;
    private final PeriodTally[] periods = new PeriodTally[Period.values().length];
    /** Push every row next time, not only the changed ones (after a failed push). */
    private boolean pushAll;

    public String ruleId() {
        return ruleId;
    }

    public String subject() {
        return subject;
    }

    Tally(String ruleId, String subject, ZoneId zone) {
        this.ruleId = ruleId;
        this.subject = subject;
        this.zone = zone;
    }

    /** The first hard quota or budget that the request's estimate does not fit into, or null. */
    synchronized Refused checkPeriods(LimitRule rule, long tokens, BigDecimal cost, long nowMillis,
                                      Refusals refusals) {
        if (!rule.hard()) {
            return null;
        }
        for (Period period : rule.periods()) {
            PeriodTally tally = period(period, nowMillis);
            Long quota = rule.tokenQuota() == null ? null : rule.tokenQuota().of(period);
            if (quota != null && tally.clusterTokens() + tokens > quota) {
                return refusals.quota(rule, subject, period, quota, tally.clusterTokens(), tokens, tally.end,
                        nowMillis);
            }
            BigDecimal budget = rule.budget() == null ? null : rule.budget().of(period);
            if (budget != null && tally.clusterSpent().add(cost).compareTo(budget) > 0) {
                return refusals.budget(rule, subject, period, budget, tally.clusterSpent(), tally.end, nowMillis);
            }
        }
        return null;
    }

    /**
     * Checks the rate limits and the hard quotas and budgets, and if the request fits, counts it: tokens and a request
     * in this second's slot and in every period, the cost estimate as in flight. Null if counted, else why not.
     */
    synchronized Refused reserve(LimitRule rule, long tokens, BigDecimal cost, long nowMillis, Grant grant,
                                 Refusals refusals) {
        long second = Math.floorDiv(nowMillis, 1000);
        long remainingTokens = -1;
        long remainingRequests = -1;
        if (rule.countsRate()) {
            RateWindow rate = window();
            if (rule.tokensPerMinute() != null) {
                long limit = rule.tokensPerMinute();
                if (tokens > limit) {
                    return refusals.tooLarge(rule, subject, tokens);
                }
                long used = rate.tokens(second);
                if (used + tokens > limit) {
                    return refusals.rate(rule, subject, true, limit,
                            rate.millisUntilFreed(nowMillis, used + tokens - limit, true));
                }
                remainingTokens = limit - used - tokens;
            }
            if (rule.requestsPerMinute() != null) {
                long limit = rule.requestsPerMinute();
                long used = rate.requests(second);
                if (used + 1 > limit) {
                    return refusals.rate(rule, subject, false, limit,
                            rate.millisUntilFreed(nowMillis, used + 1 - limit, false));
                }
                remainingRequests = limit - used - 1;
            }
        }
        Refused refused = checkPeriods(rule, tokens, cost, nowMillis, refusals);
        if (refused != null) {
            return refused;
        }
        if (rule.countsRate()) {
            window.add(second, tokens, 1);
        }
        boolean budgeted = rule.budget() != null;
        for (Period period : rule.periods()) {
            PeriodTally tally = period(period, nowMillis);
            tally.tokens += tokens;
            tally.requests++;
            if (budgeted) {
                tally.inflightCost = tally.inflightCost.add(cost);
            }
            tally.dirty = true;
        }
        grant.counted(this, budgeted, remainingTokens, remainingRequests);
        return null;
    }

    /** Takes back a reservation (another rule refused the request). */
    synchronized void release(long admitMillis, long tokens, BigDecimal cost, boolean budgeted) {
        adjust(admitMillis, -tokens, -1, budgeted ? cost.negate() : BigDecimal.ZERO, BigDecimal.ZERO);
    }

    /** Replaces a reservation's estimate by the real usage: tokens, and the exact cost for the in-flight estimate. */
    synchronized void settle(long admitMillis, long estimated, long actual, BigDecimal estimatedCost,
                             BigDecimal actualCost, boolean budgeted) {
        adjust(admitMillis, actual - estimated, 0, budgeted ? estimatedCost.negate() : BigDecimal.ZERO,
                budgeted ? actualCost : BigDecimal.ZERO);
    }

    private void adjust(long admitMillis, long tokenDelta, long requestDelta, BigDecimal inflightDelta,
                        BigDecimal costDelta) {
        if (window != null) {
            window.correct(Math.floorDiv(admitMillis, 1000), tokenDelta, requestDelta);
        }
        for (PeriodTally tally : periods) {
            // A request admitted in a period that is over no longer counts anywhere.
            if (tally != null && admitMillis >= tally.start && admitMillis < tally.end) {
                tally.tokens = Math.max(0, tally.tokens + tokenDelta);
                tally.requests = Math.max(0, tally.requests + requestDelta);
                tally.inflightCost = tally.inflightCost.add(inflightDelta).max(BigDecimal.ZERO);
                tally.cost = tally.cost.add(costDelta);
                tally.dirty = true;
            }
        }
    }

    /** One row of this replica's counts for the exchange. */
    public record Row(String period, long start, long requests, long tokens, BigDecimal cost,
                      BigDecimal inflightCost) {
    }

    /** This replica's rows that changed since the last push (or all, after a failed one). */
    public synchronized List<Row> drain(long nowMillis) {
        List<Row> rows = new ArrayList<>();
        boolean all = pushAll;
        pushAll = false;
        if (window != null) {
            window.drain(Math.floorDiv(nowMillis, 1000), all,
                    (second, tokens, requests) -> rows.add(new Row("second", second * 1000, requests, tokens,
                            BigDecimal.ZERO, BigDecimal.ZERO)));
        }
        for (PeriodTally tally : periods) {
            if (tally != null) {
                tally.roll(nowMillis);
                // Rows with requests in flight are refreshed every time, so others do not expire their estimate.
                if (tally.dirty || all || tally.inflightCost.signum() > 0) {
                    rows.add(new Row(tally.period.key(), tally.start, tally.requests, tally.tokens, tally.cost,
                            tally.inflightCost));
                    tally.dirty = false;
                }
            }
        }
        return rows;
    }

    public synchronized void pushFailed() {
        pushAll = true;
    }

    public synchronized void othersRate(RateWindow.Others others) {
        if (window != null || others.seconds().length > 0) {
            window().others(others);
        }
    }

    public synchronized void othersPeriod(Period period, long start, long tokens, long requests, BigDecimal cost,
                                   BigDecimal inflight, long nowMillis) {
        PeriodTally tally = period(period, nowMillis);
        if (tally.start == start) {
            tally.others(start, tokens, requests, cost, inflight);
        }
    }

    /** Forgets everyone else's counts of the periods with no rows (nobody else counted there). */
    public synchronized void clearOthers(java.util.Set<Period> seen) {
        for (PeriodTally tally : periods) {
            if (tally != null && !seen.contains(tally.period)) {
                tally.clearOthers();
            }
        }
    }

    /** A soft threshold crossed this period, not yet alerted from here. */
    public record Crossing(String ruleId, String subject, Period period, long periodStart, String measure,
                           int threshold, int index, BigDecimal used, BigDecimal limit) {
    }

    /** The thresholds of the rule's quotas and budgets that the cluster's totals have reached and not yet alerted. */
    public synchronized List<Crossing> crossings(LimitRule rule, long nowMillis) {
        List<Crossing> crossings = new ArrayList<>(0);
        for (Period period : rule.periods()) {
            PeriodTally tally = period(period, nowMillis);
            Long quota = rule.tokenQuota() == null ? null : rule.tokenQuota().of(period);
            if (quota != null) {
                add(crossings, rule, tally, "tokens", BigDecimal.valueOf(tally.clusterTokens()),
                        BigDecimal.valueOf(quota), tally.alertedTokens);
            }
            BigDecimal budget = rule.budget() == null ? null : rule.budget().of(period);
            if (budget != null) {
                add(crossings, rule, tally, "cost", tally.clusterSpent(), budget, tally.alertedCost);
            }
        }
        return crossings;
    }

    private void add(List<Crossing> crossings, LimitRule rule, PeriodTally tally, String measure, BigDecimal used,
                     BigDecimal limit, int alerted) {
        List<Integer> thresholds = rule.alertThresholds();
        for (int i = 0; i < thresholds.size(); i++) {
            if ((alerted & 1 << i) == 0
                    && used.multiply(BigDecimal.valueOf(100)).compareTo(limit.multiply(BigDecimal.valueOf(thresholds.get(i)))) >= 0) {
                crossings.add(new Crossing(ruleId, subject, tally.period, tally.start, measure, thresholds.get(i), i,
                        used, limit));
            }
        }
    }

    /** Records that a crossing is dealt with (alerted from here or from another replica). */
    public synchronized void alerted(Crossing crossing) {
        PeriodTally tally = periods[crossing.period().ordinal()];
        if (tally != null && tally.start == crossing.periodStart()) {
            if (crossing.measure().equals("tokens")) {
                tally.alertedTokens |= 1 << crossing.index();
            } else {
                tally.alertedCost |= 1 << crossing.index();
            }
        }
    }

    /** The rolling minute's tokens and requests, cluster-wide (for tests and the budgets view). */
    public synchronized long[] minute(long nowMillis) {
        if (window == null) {
            return new long[]{0, 0};
        }
        long second = Math.floorDiv(nowMillis, 1000);
        return new long[]{window.tokens(second), window.requests(second)};
    }

    /** A period's cluster-wide tokens (settled and reserved). */
    public synchronized long periodTokens(Period period, long nowMillis) {
        return period(period, nowMillis).clusterTokens();
    }

    /** A period's cluster-wide cost: exact of settled requests plus the estimate of those in flight. */
    public synchronized BigDecimal periodSpent(Period period, long nowMillis) {
        return period(period, nowMillis).clusterSpent();
    }

    synchronized boolean idle(long nowMillis) {
        if (window != null && !window.idle(Math.floorDiv(nowMillis, 1000))) {
            return false;
        }
        for (PeriodTally tally : periods) {
            if (tally != null) {
                return false;
            }
        }
        return true;
    }

    private RateWindow window() {
        if (window == null) {
            window = new RateWindow();
        }
        return window;
    }

    private PeriodTally period(Period period, long nowMillis) {
        PeriodTally tally = periods[period.ordinal()];
        if (tally == null) {
            tally = new PeriodTally(period, zone, nowMillis);
            periods[period.ordinal()] = tally;
        } else {
            tally.roll(nowMillis);
        }
        return tally;
    }
}
