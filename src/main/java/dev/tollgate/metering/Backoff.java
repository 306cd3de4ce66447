package dev.tollgate.metering;

import java.time.Duration;

/**
 * How long to wait before the next try while tries keep failing: the first delay after one failure, twice the last
 * delay after each further one, never more than the ceiling; none again after a success. For one thread's retry loop.
 */
public final class Backoff {

    private final long firstMillis;
    private final long maxMillis;
    private long currentMillis;

    public Backoff(Duration first, Duration max) {
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** A try failed: the delay before the next one, in milliseconds. */
    public long failed() {
        currentMillis = Math.min(Math.max(2 * currentMillis, firstMillis), maxMillis);
        return currentMillis;
    }

    /** A try succeeded: the next failure starts from the first delay again. */
    public void succeeded() {
        currentMillis = 0;
    }
}
