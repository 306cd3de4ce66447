package dev.tollgate.admission.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * One limit rule, checked by {@link LimitRules}: its subject, an optional scope (one deployment or one model family;
 * none: every request of the subject), and any of a rolling-minute rate limit, calendar token quotas, cost budgets and
 * an allow-list of deployments or model families.
 *
 * @param tokenQuota           null for none
 * @param budget               null for none
 * @param enforcement          of quotas and budgets
 * @param alertThresholds      percentages of a quota or budget that alert when reached, ascending
 * @param allowedDeployments   null: no restriction; otherwise the only deployments the subject may call
 * @param allowedModelFamilies null: no restriction; otherwise the only model families (lower case)
 */
public record LimitRule(String id, Subject subject, String deployment, String modelFamily, Long tokensPerMinute,
                        Long requestsPerMinute, TokenQuota tokenQuota, CostBudget budget, Enforcement enforcement,
                        List<Integer> alertThresholds, List<String> allowedDeployments,
                        List<String> allowedModelFamilies, String description) {

    public LimitRule {
        alertThresholds = List.copyOf(alertThresholds);
        allowedDeployments = allowedDeployments == null ? null : List.copyOf(allowedDeployments);
        allowedModelFamilies = allowedModelFamilies == null ? null : List.copyOf(allowedModelFamilies);
    }

    /** Whether the rule's scope covers a request for this deployment, whose model family is {@code family}. */
    public boolean covers(String requestDeployment, String family) {
        return (deployment == null || deployment.equals(requestDeployment))
                && (modelFamily == null || modelFamily.equals(family));
    }

    public boolean scoped() {
        return deployment != null || modelFamily != null;
    }

    /** Whether the subject may call the deployment at all. */
    public boolean allows(String requestDeployment, String family) {
        return (allowedDeployments == null || allowedDeployments.contains(requestDeployment))
                && (allowedModelFamilies == null || allowedModelFamilies.contains(family));
    }

    public boolean restrictsAccess() {
        return allowedDeployments != null || allowedModelFamilies != null;
    }

    /** Whether the rule needs an estimate of the request's tokens (TPM, a quota or a budget). */
    public boolean countsTokens() {
        return tokensPerMinute != null || tokenQuota != null || budget != null;
    }

    public boolean countsRate() {
        return tokensPerMinute != null || requestsPerMinute != null;
    }

    /** The calendar periods the rule keeps totals for (a quota or a budget in them), shortest first. */
    public List<Period> periods() {
        List<Period> periods = new ArrayList<>(3);
        for (Period period : Period.values()) {
            if (tokenQuota != null && tokenQuota.of(period) != null || budget != null && budget.of(period) != null) {
                periods.add(period);
            }
        }
        return periods;
    }

    public boolean hard() {
        return enforcement == Enforcement.HARD;
    }
}
