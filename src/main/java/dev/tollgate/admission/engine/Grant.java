package dev.tollgate.admission.engine;

import dev.tollgate.admission.Ticket;
import dev.tollgate.metering.UsageRecord;

import java.math.BigDecimal;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/** The ticket of a request that rules apply to: what it reserved where, until its usage record settles it. */
final class Grant implements Ticket {

    private final AdmissionEngine engine;
    final long admitMillis;
    final long tokens;
    final BigDecimal cost;
    final String deployment;
    private final Tally[] tallies;
    private final boolean[] budgeted;
    private int counted;
    private long remainingTokens = Long.MAX_VALUE;
    private long remainingRequests = Long.MAX_VALUE;
    private final AtomicBoolean settled = new AtomicBoolean();

    Grant(AdmissionEngine engine, int rules, long admitMillis, long tokens, BigDecimal cost, String deployment) {
        this.engine = engine;
        this.tallies = new Tally[rules];
        this.budgeted = new boolean[rules];
        this.admitMillis = admitMillis;
        this.tokens = tokens;
        this.cost = cost;
        this.deployment = deployment;
    }

    /** Called by a tally that counted the request. */
    void counted(Tally tally, boolean withBudget, long tokensLeft, long requestsLeft) {
        tallies[counted] = tally;
        budgeted[counted] = withBudget;
        counted++;
        if (tokensLeft >= 0) {
            remainingTokens = Math.min(remainingTokens, tokensLeft);
        }
        if (requestsLeft >= 0) {
            remainingRequests = Math.min(remainingRequests, requestsLeft);
        }
    }

    /** Takes back every reservation made so far (a later rule refused). */
    void release() {
        for (int i = 0; i < counted; i++) {
            tallies[i].release(admitMillis, tokens, cost, budgeted[i]);
        }
        counted = 0;
    }

    boolean anyBudget() {
        for (int i = 0; i < counted; i++) {
            if (budgeted[i]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public OptionalLong remainingTokens() {
        return remainingTokens == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(remainingTokens);
    }

    @Override
    public OptionalLong remainingRequests() {
        return remainingRequests == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(remainingRequests);
    }

    @Override
    public void settle(UsageRecord record) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        long actual = record.usage().totalTokens();
        BigDecimal actualCost = anyBudget() ? engine.costOf(record) : BigDecimal.ZERO;
        for (int i = 0; i < counted; i++) {
            tallies[i].settle(admitMillis, tokens, actual, cost, actualCost, budgeted[i]);
        }
    }
}
