package dev.tollgate.simulator;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Azure's tokens-per-minute limiter, simplified to a fixed one-minute window: each admitted request adds its estimated
 * cost to a running count; once the count reaches the limit, requests are refused until the window ends.
 * Synchronized because requests arrive on several event loops while tests change the limit from their own thread.
 */
final class TokenBudget {

    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Reported as remaining tokens when no limit is set. */
    static final long UNLIMITED_TOKENS = 1_000_000;
    /** Reported as remaining requests when no limit is set. */
    static final long UNLIMITED_REQUESTS = 10_000;

    /**
     * Outcome of asking for budget; also the numbers for the {@code x-ratelimit-*} headers.
     *
     * @param admitted          whether the request may proceed
     * @param remainingTokens   tokens left in the window after this request
     * @param remainingRequests requests left in the window after this request
     * @param retryAfterMillis  time until the window resets (meaningful when refused)
     */
    record Decision(boolean admitted, long remainingTokens, long remainingRequests, long retryAfterMillis) {
    }

    private final LongSupplier clockMillis;
    private long windowStart;
    private long usedTokens;
    private long requestCount;
    private boolean windowOpen;

    TokenBudget(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** Charges {@code cost} tokens if the window's budget is not yet spent. {@code limit} 0 means unlimited. */
    synchronized Decision admit(long limit, long cost) {
        long now = clockMillis.getAsLong();
        rollWindow(now);
        if (limit <= 0) {
            return new Decision(true, UNLIMITED_TOKENS, UNLIMITED_REQUESTS, 0);
        }
        if (usedTokens >= limit) {
            return new Decision(false, 0, remainingRequests(limit), millisUntilReset(now));
        }
        usedTokens += cost;
        requestCount++;
        return new Decision(true, Math.max(0, limit - usedTokens), remainingRequests(limit), millisUntilReset(now));
    }

    /** Current numbers without charging anything, for answers that do not reach the model (errors). */
    synchronized Decision peek(long limit) {
        long now = clockMillis.getAsLong();
        if (limit <= 0) {
            return new Decision(true, UNLIMITED_TOKENS, UNLIMITED_REQUESTS, 0);
        }
        boolean expired = !windowOpen || now - windowStart >= WINDOW.toMillis();
        long used = expired ? 0 : usedTokens;
        long requests = expired ? 0 : requestCount;
        return new Decision(used < limit, Math.max(0, limit - used), Math.max(0, requestLimit(limit) - requests),
                expired ? 0 : millisUntilReset(now));
    }

    synchronized void reset() {
        windowOpen = false;
        usedTokens = 0;
        requestCount = 0;
    }

    private void rollWindow(long now) {
        if (!windowOpen || now - windowStart >= WINDOW.toMillis()) {
            windowOpen = true;
            windowStart = now;
            usedTokens = 0;
            requestCount = 0;
        }
    }

    private long millisUntilReset(long now) {
        return Math.max(0, windowStart + WINDOW.toMillis() - now);
    }

    private long remainingRequests(long limit) {
        return Math.max(0, requestLimit(limit) - requestCount);
    }

    /** Azure grants 6 requests per minute for every 1000 tokens per minute. */
    private static long requestLimit(long tokenLimit) {
        return Math.max(1, tokenLimit * 6 / 1000);
    }
}
