package dev.tollgate.admission.engine;

import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.SubjectType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules in force, indexed by subject for the event loop, and the precedence between them (docs/admission.md):
 * every rule of the app, of its business unit and of its cost center whose scope covers the request applies, all at
 * once; the default rules apply only to a request that no rule of the app itself covers.
 */
public final class RuleSet {

    public static final RuleSet EMPTY = new RuleSet(0, List.of());

    private final long version;
    private final Map<String, LimitRule> byId = new HashMap<>();
    private final Map<String, List<LimitRule>> byApp = new HashMap<>();
    private final Map<String, List<LimitRule>> byBusinessUnit = new HashMap<>();
    private final Map<String, List<LimitRule>> byCostCenter = new HashMap<>();
    private final List<LimitRule> defaults = new ArrayList<>();
    private final boolean familyMatters;

    public RuleSet(long version, List<LimitRule> rules) {
        this.version = version;
        boolean family = false;
        for (LimitRule rule : rules) {
            byId.put(rule.id(), rule);
            switch (rule.subject().type()) {
                case APP -> byApp.computeIfAbsent(rule.subject().id(), id -> new ArrayList<>(2)).add(rule);
                case BUSINESS_UNIT -> byBusinessUnit.computeIfAbsent(rule.subject().id(), id -> new ArrayList<>(2))
                        .add(rule);
                case COST_CENTER -> byCostCenter.computeIfAbsent(rule.subject().id(), id -> new ArrayList<>(2))
                        .add(rule);
                case DEFAULT -> defaults.add(rule);
            }
            family |= rule.modelFamily() != null || rule.allowedModelFamilies() != null;
        }
        this.familyMatters = family;
    }

    public long version() {
        return version;
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    public LimitRule rule(String id) {
        return byId.get(id);
    }

    /** Whether any rule needs the model family of a request's deployment. */
    boolean familyMatters() {
        return familyMatters;
    }

    /** Whether any rule could apply to the app at all (cheap: no scope is looked at). */
    boolean anyFor(String appId, AppOwners.Charged app) {
        return !defaults.isEmpty() || byApp.containsKey(appId)
                || app != null && (byBusinessUnit.containsKey(app.businessUnit())
                || byCostCenter.containsKey(app.costCenter()));
    }

    /** The rules that apply to one request, app rules first, then business unit, cost center, default. */
    List<LimitRule> applicable(String appId, AppOwners.Charged app, String deployment, String family) {
        List<LimitRule> applicable = new ArrayList<>(4);
        add(byApp.get(appId), deployment, family, applicable);
        boolean ownRule = !applicable.isEmpty();
        if (app != null) {
            add(byBusinessUnit.get(app.businessUnit()), deployment, family, applicable);
            add(byCostCenter.get(app.costCenter()), deployment, family, applicable);
        }
        if (!ownRule) {
            add(defaults, deployment, family, applicable);
        }
        return applicable;
    }

    /** The counter subject of a rule for an app: the app itself, or what it shares the limit with. */
    static String subjectKey(LimitRule rule, String appId) {
        SubjectType type = rule.subject().type();
        return type == SubjectType.APP || type == SubjectType.DEFAULT ? appId : rule.subject().id();
    }

    private static void add(List<LimitRule> rules, String deployment, String family, List<LimitRule> out) {
        if (rules != null) {
            for (LimitRule rule : rules) {
                if (rule.covers(deployment, family)) {
                    out.add(rule);
                }
            }
        }
    }
}
