package dev.tollgate.admission.engine;

import dev.tollgate.admission.Admitted;
import dev.tollgate.admission.Decision;
import dev.tollgate.admission.Demand;
import dev.tollgate.admission.Recount;
import dev.tollgate.admission.Refused;
import dev.tollgate.admission.Ticket;
import dev.tollgate.admission.estimate.CostEstimator;
import dev.tollgate.admission.estimate.DemandEstimator;
import dev.tollgate.admission.estimate.TokenDemand;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.pricing.ModelName;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Decides, on the event loop, whether a request may go: the rules that apply to it ({@link RuleSet}), each rule's
 * {@link Tally} for the request's subject, the request's estimated tokens and cost. Every decision uses the cluster's
 * totals as last exchanged plus this replica's own counts, none of it waits for anything: no I/O, only a tally's lock
 * around a few sums. A request no rule applies to costs a few map lookups and gets a shared ticket that does nothing.
 *
 * <p>Order of checks: access (403), then the hard quotas and budgets of every applicable rule (403: retrying before
 * the period resets cannot help, so these are named before any 429), then rate limits and the reservation, rule by
 * rule; a refusal takes back what earlier rules reserved. A refusal on tokens made with the quick estimate is checked
 * again with the exact prompt count first, off the event loop ({@link #recount}).
 */
public final class AdmissionEngine {

    /** The ticket of a request no rule applies to. */
    static final Ticket FREE = new Ticket() {
        @Override
        public OptionalLong remainingTokens() {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong remainingRequests() {
            return OptionalLong.empty();
        }

        @Override
        public void settle(UsageRecord record) {
        }
    };
    public static final Admitted ADMITTED_FREE = new Admitted(FREE);

    private final ZoneId zone;
    private final LongSupplier clock;
    private final DemandEstimator estimator;
    private final CostEstimator costs;
    private final AppOwners apps;
    private final Refusals refusals;
    private final RefusalListener listener;
    private final int maxRecounts;
    private final AtomicInteger recounts = new AtomicInteger();
    private final Map<String, Map<String, Tally>> tallies = new ConcurrentHashMap<>();
    private volatile RuleSet rules = RuleSet.EMPTY;

    /** Told of every refusal (metrics). */
    public interface RefusalListener {
        void refused(Refused refused);

        /** Besides {@link #refused}: this refusal was made without the recount it would have had. */
        default void recountSkipped(Refused refused) {
        }
    }

    /** @param maxRecounts {@link #recount}s at once; past it the quick estimate's refusal stands */
    public AdmissionEngine(ZoneId zone, LongSupplier clock, DemandEstimator estimator, CostEstimator costs,
                           AppOwners apps, RefusalListener listener, int maxRecounts) {
        this.zone = zone;
        this.clock = clock;
        this.estimator = estimator;
        this.costs = costs;
        this.apps = apps;
        this.refusals = new Refusals(zone);
        this.listener = listener;
        this.maxRecounts = maxRecounts;
    }

    /**
     * The whole decision, counting the prompt with the tokenizer when the quick estimate would refuse on tokens:
     * blocking the first time (the tokenizer loads) and in proportion to the prompt, so not on the event loop.
     */
    public Decision admit(Demand demand) {
        Decision decision = admitQuickly(demand);
        return decision instanceof Recount ? recount(demand) : decision;
    }

    /**
     * The decision on the event loop: {@link Admitted} or {@link Refused} when the quick estimate settles it, or
     * {@link Recount} when it would refuse on tokens, for {@link #recount} to decide off the event loop: exactly once
     * for each {@code Recount}, which holds one of the {@code maxRecounts} places until then. With none left, the
     * quick estimate's refusal stands.
     */
    public Decision admitQuickly(Demand demand) {
        RuleSet current = rules;
        if (current.isEmpty()) {
            return ADMITTED_FREE;
        }
        AppOwners.Charged app = apps.find(demand.appId());
        if (!current.anyFor(demand.appId(), app)) {
            return ADMITTED_FREE;
        }
        String family = current.familyMatters() ? family(demand.deployment()) : null;
        List<LimitRule> applicable = current.applicable(demand.appId(), app, demand.deployment(), family);
        if (applicable.isEmpty()) {
            return ADMITTED_FREE;
        }
        Decision decision = decide(demand, family, applicable, false);
        if (decision instanceof Refused refused) {
            if (Refusals.onTokens(refused)) {
                // The quick estimate may be high; only the tokenizer's count may refuse, unless too many are counting.
                if (recounts.incrementAndGet() <= maxRecounts) {
                    return new Recount(refused);
                }
                recounts.decrementAndGet();
                listener.recountSkipped(refused);
            }
            listener.refused(refused);
        }
        return decision;
    }

    /**
     * The decision with the prompt counted by the model's tokenizer, for a request the quick estimate would refuse on
     * tokens. Blocking: loads the tokenizer on first use (about half a second), then costs about a microsecond per 10
     * to 20 characters of prompt; called on a worker thread.
     */
    public Decision recount(Demand demand) {
        try {
            return counted(demand);
        } finally {
            recounts.decrementAndGet();
        }
    }

    private Decision counted(Demand demand) {
        RuleSet current = rules;
        AppOwners.Charged app = apps.find(demand.appId());
        String family = current.familyMatters() ? family(demand.deployment()) : null;
        List<LimitRule> applicable = current.applicable(demand.appId(), app, demand.deployment(), family);
        if (applicable.isEmpty()) {
            return ADMITTED_FREE;
        }
        Decision decision = decide(demand, family, applicable, true);
        if (decision instanceof Refused refused) {
            listener.refused(refused);
        }
        return decision;
    }

    private Decision decide(Demand demand, String family, List<LimitRule> applicable, boolean exact) {
        boolean countsTokens = false;
        boolean budgeted = false;
        for (LimitRule rule : applicable) {
            if (!rule.allows(demand.deployment(), family)) {
                return refusals.access(rule, RuleSet.subjectKey(rule, demand.appId()), demand.deployment());
            }
            countsTokens |= rule.countsTokens();
            budgeted |= rule.budget() != null;
        }
        TokenDemand tokens = !countsTokens ? new TokenDemand(0, 0)
                : exact ? estimator.exact(demand.request()) : estimator.quick(demand.request());
        BigDecimal cost = budgeted ? costs.estimate(demand.deployment(), tokens) : BigDecimal.ZERO;
        long now = clock.getAsLong();
        Tally[] ruleTallies = new Tally[applicable.size()];
        for (int i = 0; i < ruleTallies.length; i++) {
            LimitRule rule = applicable.get(i);
            ruleTallies[i] = tally(rule.id(), RuleSet.subjectKey(rule, demand.appId()));
            Refused refused = ruleTallies[i].checkPeriods(rule, tokens.total(), cost, now, refusals);
            if (refused != null) {
                return refused;
            }
        }
        Grant grant = new Grant(this, ruleTallies.length, now, tokens.total(), cost, demand.deployment());
        for (int i = 0; i < ruleTallies.length; i++) {
            Refused refused = ruleTallies[i].reserve(applicable.get(i), tokens.total(), cost, now, grant, refusals);
            if (refused != null) {
                grant.release();
                return refused;
            }
        }
        return new Admitted(grant);
    }

    private static String family(String deployment) {
        return deployment == null ? null : ModelName.of(deployment).family();
    }

    BigDecimal costOf(UsageRecord record) {
        return costs.cost(record);
    }

    /** The tally of a rule and subject, created on first use. */
    public Tally tally(String ruleId, String subject) {
        return tallies.computeIfAbsent(ruleId, id -> new ConcurrentHashMap<>())
                .computeIfAbsent(subject, key -> new Tally(ruleId, key, zone));
    }

    /** Every tally, for the exchange. */
    public List<Tally> tallies() {
        List<Tally> all = new ArrayList<>();
        tallies.values().forEach(bySubject -> all.addAll(bySubject.values()));
        return all;
    }

    /** The rules to apply from now on; tallies of rules that are gone are dropped. */
    public void rules(RuleSet latest) {
        rules = latest;
        tallies.keySet().removeIf(id -> latest.rule(id) == null);
    }

    public RuleSet rules() {
        return rules;
    }

    /** Drops tallies with nothing in their minute and no calendar period (their counts live on in PostgreSQL). */
    public void forgetIdle() {
        long now = clock.getAsLong();
        for (Map<String, Tally> bySubject : tallies.values()) {
            bySubject.values().removeIf(tally -> tally.idle(now));
        }
    }

    public long now() {
        return clock.getAsLong();
    }

    public ZoneId zone() {
        return zone;
    }

    public CostEstimator costs() {
        return costs;
    }

    public AppOwners apps() {
        return apps;
    }

    Collection<Map<String, Tally>> bySubject() {
        return tallies.values();
    }
}
