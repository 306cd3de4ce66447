package dev.tollgate.admission;

import java.time.Duration;

/**
 * The request may not go.
 *
 * @param status     429 (rate) or 403 (quota, budget, access)
 * @param code       the AOAI error code: {@code 429}, {@code TokenQuotaExceeded}, {@code BudgetExceeded},
 *                   {@code DeploymentNotAllowed}, {@code RequestExceedsRateLimit}
 * @param message    for the caller; for a 403 of a period it names when the period resets
 * @param retryAfter for 429 the time until enough of the window frees up; for a quota or budget the time until the
 *                   period resets; null when waiting cannot help
 * @param ruleId     the rule that refused
 */
public record Refused(int status, String code, String message, Duration retryAfter, String ruleId)
        implements Decision {
}
