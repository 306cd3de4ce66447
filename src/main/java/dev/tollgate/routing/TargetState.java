package dev.tollgate.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live state of one target, shared by the event-loop threads: until when it is parked (throttled, or its breaker
 * open), and how many times in a row it failed. Lock-free; times are {@link System#nanoTime()} values.
 *
 * <p>The breaker: after {@code threshold} consecutive failures the target is parked for the cool-down. When that
 * ends, one request may try it (half-open): a success closes the breaker, a failure parks it for another cool-down.
 */
public final class TargetState {

    private final AtomicLong usableFromNanos = new AtomicLong(System.nanoTime());
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger trialsInFlight = new AtomicInteger();
    /** Load the target last reported: -1 unknown. Rate-limit windows are a minute, so older reports are stale. */
    private volatile long remainingTokens = -1;
    private volatile long remainingRequests = -1;
    private volatile long reportedAtNanos;
    /** Exponentially weighted time to the answer's first byte; 0 until the first answer. */
    private volatile long latencyNanos;

    static final long REPORT_FRESH_NANOS = 60_000_000_000L;
    private static final double LATENCY_WEIGHT = 0.2;

    /** Whether a request may go to the target now; a half-open target lets through one trial at a time. */
    public boolean usable(long nowNanos, int breakerThreshold) {
        if (nowNanos - usableFromNanos.get() < 0) {
            return false;
        }
        return consecutiveFailures.get() < breakerThreshold || trialsInFlight.get() == 0;
    }

    /** Called when a request is sent to the target. */
    void sending(int breakerThreshold) {
        if (consecutiveFailures.get() >= breakerThreshold) {
            trialsInFlight.incrementAndGet();
        }
    }

    /** Nanoseconds until the target may take requests again; 0 if it may now. */
    public long parkedForNanos(long nowNanos) {
        return Math.max(0, usableFromNanos.get() - nowNanos);
    }

    /** The target answered 429: no traffic until then. Throttling says nothing about health. */
    void throttled(long untilNanos) {
        trialsInFlight.updateAndGet(n -> Math.max(0, n - 1));
        usableFromNanos.accumulateAndGet(untilNanos, Math::max);
    }

    /** The target failed (5xx, timeout, connection error); opens the breaker at the threshold. */
    void failed(long nowNanos, int breakerThreshold, long coolDownNanos) {
        trialsInFlight.updateAndGet(n -> Math.max(0, n - 1));
        if (consecutiveFailures.incrementAndGet() >= breakerThreshold) {
            usableFromNanos.accumulateAndGet(nowNanos + coolDownNanos, Math::max);
        }
    }

    /**
     * A request meant for the target never reached it (the gateway had no free connection): it says nothing of the
     * target's health, but a half-open trial it held must be given back, or the target would wait for a probe.
     */
    void notSent() {
        trialsInFlight.updateAndGet(n -> Math.max(0, n - 1));
    }

    /** An active probe found the target healthy again: the breaker closes and its cool-down is over. */
    void recovered() {
        consecutiveFailures.set(0);
        trialsInFlight.set(0);
        usableFromNanos.set(System.nanoTime());
    }

    /** The target answered (any answer that is not a failure): the breaker closes. */
    void succeeded() {
        trialsInFlight.updateAndGet(n -> Math.max(0, n - 1));
        consecutiveFailures.set(0);
    }

    /** The target answered: note the load it reports and how long it took to start answering. */
    void observed(long nowNanos, long remainingTokens, long remainingRequests, long latencyNanos) {
        if (remainingTokens >= 0 || remainingRequests >= 0) {
            this.remainingTokens = remainingTokens;
            this.remainingRequests = remainingRequests;
            this.reportedAtNanos = nowNanos;
        }
        long previous = this.latencyNanos;
        this.latencyNanos = previous == 0 ? latencyNanos : (long) (previous + LATENCY_WEIGHT * (latencyNanos - previous));
    }

    /** Remaining tokens last reported, or -1 if unknown or stale. */
    public long remainingTokens(long nowNanos) {
        return fresh(nowNanos) ? remainingTokens : -1;
    }

    /** Remaining requests last reported, or -1 if unknown or stale. */
    public long remainingRequests(long nowNanos) {
        return fresh(nowNanos) ? remainingRequests : -1;
    }

    private boolean fresh(long nowNanos) {
        return reportedAtNanos != 0 && nowNanos - reportedAtNanos < REPORT_FRESH_NANOS;
    }

    public long latencyNanos() {
        return latencyNanos;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public boolean breakerOpen(int breakerThreshold) {
        return consecutiveFailures.get() >= breakerThreshold;
    }
}
