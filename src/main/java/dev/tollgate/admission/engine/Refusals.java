package dev.tollgate.admission.engine;

import dev.tollgate.admission.Refused;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.Period;
import dev.tollgate.admission.rules.SubjectType;
import dev.tollgate.errors.ErrorCode;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The refusals admission answers with, worded for the caller: what limit, whose, and when waiting helps. */
final class Refusals {

    /** How a refusal on a tokens-per-minute limit reads (see {@link #onTokens}). */
    private static final String TOKENS_PER_MINUTE = " tokens per minute";

    private final ZoneId zone;

    Refusals(ZoneId zone) {
        this.zone = zone;
    }

    Refused access(LimitRule rule, String subject, String deployment) {
        return new Refused(ErrorCode.DEPLOYMENT_NOT_ALLOWED, whose(rule, subject) + " may not call deployment '" + deployment
                + "' (admission rule '" + rule.id() + "').", null, rule.id());
    }

    Refused tooLarge(LimitRule rule, String subject, long tokens) {
        return new Refused(ErrorCode.REQUEST_EXCEEDS_RATE_LIMIT, "This request is estimated at " + tokens + " tokens (prompt and "
                + "max_tokens), more than the " + rule.tokensPerMinute() + " tokens per minute " + whose(rule, subject)
                + " may use (admission rule '" + rule.id() + "'); lower max_tokens or shorten the prompt.", null,
                rule.id());
    }

    Refused rate(LimitRule rule, String subject, boolean tokens, long limit, long millis) {
        // -1: only a replica whose clock runs ahead holds the rest; its counts leave within a second or so.
        Duration wait = Duration.ofMillis(millis < 0 ? 1000 : Math.max(millis, 1));
        return new Refused(ErrorCode.TOO_MANY_REQUESTS, "Requests of " + whose(rule, subject) + " exceed " + limit
                + (tokens ? TOKENS_PER_MINUTE : " requests per minute") + " (admission rule '" + rule.id()
                + "'). Retry after " + seconds(wait) + " seconds.", wait, rule.id());
    }

    /** Whether the refusal depends on the request's token estimate (a smaller, exact count might pass). */
    static boolean onTokens(Refused refused) {
        return switch (refused.error()) {
            case TOKEN_QUOTA_EXCEEDED, BUDGET_EXCEEDED, REQUEST_EXCEEDS_RATE_LIMIT -> true;
            case TOO_MANY_REQUESTS -> refused.message().contains(TOKENS_PER_MINUTE + " (");
            default -> false;
        };
    }

    Refused quota(LimitRule rule, String subject, Period period, long quota, long used, long tokens, long end,
                  long nowMillis) {
        return new Refused(ErrorCode.TOKEN_QUOTA_EXCEEDED, whose(rule, subject) + " has used " + used + " of its " + quota + " tokens "
                + "this " + period.key() + " (admission rule '" + rule.id() + "'); this request needs about " + tokens
                + ". The quota resets at " + reset(end) + ".", Duration.ofMillis(end - nowMillis), rule.id());
    }

    Refused budget(LimitRule rule, String subject, Period period, BigDecimal budget, BigDecimal spent, long end,
                   long nowMillis) {
        return new Refused(ErrorCode.BUDGET_EXCEEDED, whose(rule, subject) + " has spent " + spent.setScale(2,
                java.math.RoundingMode.HALF_UP).toPlainString() + " of its " + budget.toPlainString() + " budget this "
                + period.key() + " (admission rule '" + rule.id() + "'). The budget resets at " + reset(end) + ".",
                Duration.ofMillis(end - nowMillis), rule.id());
    }

    private String reset(long end) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(end).atZone(zone));
    }

    private static long seconds(Duration wait) {
        return (wait.toMillis() + 999) / 1000;
    }

    private static String whose(LimitRule rule, String subject) {
        return switch (rule.subject().type()) {
            case APP, DEFAULT -> "App '" + subject + "'";
            case BUSINESS_UNIT -> "Business unit '" + subject + "'";
            case COST_CENTER -> "Cost center '" + subject + "'";
        } + (rule.subject().type() == SubjectType.DEFAULT ? " (default limits)" : "");
    }
}
