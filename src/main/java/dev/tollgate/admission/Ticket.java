package dev.tollgate.admission;

import dev.tollgate.metering.UsageRecord;

import java.util.OptionalLong;

/** An admitted request's claim on the counters, until its real usage replaces the estimate. */
public interface Ticket {

    /** The app's own remaining tokens per minute after this request, if a TPM rule applies. */
    OptionalLong remainingTokens();

    /** Likewise requests per minute. */
    OptionalLong remainingRequests();

    /**
     * The real usage (tokens, served model, status) replaces the estimate; exactly once per ticket, any thread, never
     * blocks. A second call does nothing.
     */
    void settle(UsageRecord record);
}
