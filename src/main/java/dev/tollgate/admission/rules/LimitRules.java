package dev.tollgate.admission.rules;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a rule must look like, the same for the admin API, the seed file and stored rules. Besides the shape, a rule
 * must not contradict itself: a rule that limits nothing, a scope on both a deployment and a model family, an
 * allow-list on a scoped rule (the scope already names what it covers), a shorter period allowed more than a longer
 * one (it could never bind), thresholds or soft enforcement without a quota or budget they could apply to.
 */
public final class LimitRules {

    /** Soft thresholds, in percent of a quota or budget, when a rule names none. */
    public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
    /** Ids are metric labels and path segments: short, plain. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    static final int MAX_NAME = 200;
    static final int MAX_DESCRIPTION = 500;
    static final int MAX_THRESHOLDS = 10;
    static final int MAX_THRESHOLD = 1000;
    static final int MAX_ALLOWED = 100;

    private LimitRules() {
    }

    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidRuleException("Rule id '" + printable(String.valueOf(id)) + "' is invalid: 1 to 64 "
                    + "characters, letters and digits first, then also _ . : -.");
        }
    }

    /** Checks every field and their coherence; returns the rule for chaining. */
    public static LimitRule check(LimitRule rule) {
        checkId(rule.id());
        Subject subject = rule.subject();
        if (subject.type() == SubjectType.DEFAULT) {
            if (subject.id() != null) {
                throw new InvalidRuleException("subject.id must be left out for the default subject, which applies "
                        + "to each app without a rule of its own.");
            }
        } else {
            name("subject.id", subject.id(), true);
        }
        name("deployment", rule.deployment(), false);
        name("modelFamily", rule.modelFamily(), false);
        text("description", rule.description(), MAX_DESCRIPTION);
        if (rule.deployment() != null && rule.modelFamily() != null) {
            throw new InvalidRuleException("A rule is scoped to a deployment or to a model family, not both; make "
                    + "two rules.");
        }
        boolean quotas = rule.tokenQuota() != null && !rule.tokenQuota().isEmpty();
        boolean budgets = rule.budget() != null && !rule.budget().isEmpty();
        if (rule.tokenQuota() != null && !quotas) {
            throw new InvalidRuleException("tokenQuota names no period; give hour, day or month (or leave it out).");
        }
        if (rule.budget() != null && !budgets) {
            throw new InvalidRuleException("budget names no period; give month or day (or leave it out).");
        }
        if (rule.tokensPerMinute() == null && rule.requestsPerMinute() == null && !quotas && !budgets
                && !rule.restrictsAccess()) {
            throw new InvalidRuleException("The rule limits nothing: give tokensPerMinute, requestsPerMinute, "
                    + "tokenQuota, budget, allowedDeployments or allowedModelFamilies.");
        }
        if (quotas) {
            ordered("tokenQuota", rule.tokenQuota().hour(), "hour", rule.tokenQuota().day(), "day");
            ordered("tokenQuota", rule.tokenQuota().hour(), "hour", rule.tokenQuota().month(), "month");
            ordered("tokenQuota", rule.tokenQuota().day(), "day", rule.tokenQuota().month(), "month");
        }
        if (budgets && rule.budget().day() != null && rule.budget().month() != null
                && rule.budget().day().compareTo(rule.budget().month()) > 0) {
            throw new InvalidRuleException("budget.day (" + rule.budget().day().toPlainString() + ") is more than "
                    + "budget.month (" + rule.budget().month().toPlainString() + "), so it could never bind.");
        }
        if (!quotas && !budgets) {
            if (rule.enforcement() == Enforcement.SOFT) {
                throw new InvalidRuleException("enforcement soft applies to quotas and budgets, and the rule has "
                        + "neither; rate limits are always enforced.");
            }
            if (!rule.alertThresholds().equals(DEFAULT_THRESHOLDS)) {
                throw new InvalidRuleException("alertThresholds apply to quotas and budgets, and the rule has "
                        + "neither.");
            }
        }
        thresholds(rule.alertThresholds());
        if (rule.scoped() && rule.restrictsAccess()) {
            throw new InvalidRuleException("A rule scoped to a " + (rule.deployment() != null ? "deployment"
                    : "model family") + " cannot also restrict access: the allow-list belongs on an unscoped rule of "
                    + "the subject.");
        }
        names("allowedDeployments", rule.allowedDeployments());
        names("allowedModelFamilies", rule.allowedModelFamilies());
        return rule;
    }

    private static void ordered(String field, Long shorter, String shorterName, Long longer, String longerName) {
        if (shorter != null && longer != null && shorter > longer) {
            throw new InvalidRuleException(field + "." + shorterName + " (" + shorter + ") is more than " + field + "."
                    + longerName + " (" + longer + "), so it could never bind.");
        }
    }

    private static void thresholds(List<Integer> thresholds) {
        if (thresholds.size() > MAX_THRESHOLDS) {
            throw new InvalidRuleException("At most " + MAX_THRESHOLDS + " alertThresholds; got " + thresholds.size()
                    + ".");
        }
        int previous = 0;
        for (int threshold : thresholds) {
            if (threshold < 1 || threshold > MAX_THRESHOLD) {
                throw new InvalidRuleException("alertThresholds are percentages from 1 to " + MAX_THRESHOLD + "; got "
                        + threshold + ".");
            }
            if (threshold <= previous) {
                throw new InvalidRuleException("alertThresholds must be ascending without repeats; got "
                        + thresholds + ".");
            }
            previous = threshold;
        }
    }

    private static void names(String field, List<String> names) {
        if (names == null) {
            return;
        }
        if (names.size() > MAX_ALLOWED) {
            throw new InvalidRuleException("At most " + MAX_ALLOWED + " entries in " + field + "; got "
                    + names.size() + ".");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new InvalidRuleException(field + " names an entry twice: " + names + ".");
        }
        for (String name : names) {
            name(field + " entry", name, true);
        }
    }

    private static void name(String field, String value, boolean required) {
        if (value == null) {
            if (required) {
                throw new InvalidRuleException(field + " is required and must not be blank.");
            }
            return;
        }
        if (value.isBlank()) {
            throw new InvalidRuleException(field + " must not be blank.");
        }
        text(field, value, MAX_NAME);
        if (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1))) {
            throw new InvalidRuleException(field + " starts or ends with whitespace.");
        }
    }

    private static void text(String field, String value, int maxLength) {
        if (value == null) {
            return;
        }
        if (value.length() > maxLength) {
            throw new InvalidRuleException(field + " is longer than " + maxLength + " characters.");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidRuleException(field + " contains a control character at position " + (i + 1) + ".");
            }
        }
    }

    /** A value quoted in a message: control characters shown as {@code ?}, cut at 80 characters. */
    static String printable(String value) {
        StringBuilder shown = new StringBuilder(Math.min(value.length(), 80));
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            shown.append(Character.isISOControl(c) ? '?' : c);
        }
        return value.length() > 80 ? shown + "…" : shown.toString();
    }
}
