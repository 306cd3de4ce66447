package dev.tollgate.admission;

import dev.tollgate.errors.ErrorCode;

import java.time.Duration;

/**
 * The request may not go.
 *
 * @param error      {@link ErrorCode#TOO_MANY_REQUESTS} (a rate: waiting helps), or a 403: {@link
 *                   ErrorCode#TOKEN_QUOTA_EXCEEDED}, {@link ErrorCode#BUDGET_EXCEEDED}, {@link
 *                   ErrorCode#DEPLOYMENT_NOT_ALLOWED}, {@link ErrorCode#REQUEST_EXCEEDS_RATE_LIMIT}
 * @param message    for the caller; for a 403 of a period it names when the period resets
 * @param retryAfter for 429 the time until enough of the window frees up; for a quota or budget the time until the
 *                   period resets; null when waiting cannot help
 * @param ruleId     the rule that refused
 */
public record Refused(ErrorCode error, String message, Duration retryAfter, String ruleId) implements Decision {

    public int status() {
        return error.status();
    }

    /** The AOAI error code, e.g. {@code 429} or {@code BudgetExceeded}. */
    public String code() {
        return error.code();
    }
}
