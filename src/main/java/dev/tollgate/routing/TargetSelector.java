package dev.tollgate.routing;

import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Picks the target for each attempt of a request, and learns from how targets answer: a 429 parks the target for as
 * long as it asks (else a default), failures count towards its circuit breaker, any other answer closes it.
 */
@Singleton
public class TargetSelector {

    private final RoutingConfig config;
    private final TargetMetrics metrics;

    public TargetSelector(RoutingConfig config, TargetMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** A target of the pool that may take a request now and was not tried yet for this request. */
    public Optional<Target> choose(Pool pool, Collection<Target> tried) {
        long now = System.nanoTime();
        List<Target> candidates = new ArrayList<>(pool.targets().size());
        for (Target target : pool.targets()) {
            if (!tried.contains(target) && target.state().usable(now, config.breakerFailureThreshold())) {
                candidates.add(target);
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        Target chosen = pool.balancer().choose(candidates);
        chosen.state().sending(config.breakerFailureThreshold());
        return Optional.of(chosen);
    }

    /** An active health probe of the target's backend failed: it counts like a failed request. */
    public void probeFailed(Target target) {
        target.state().failed(System.nanoTime(), config.breakerFailureThreshold(), config.breakerCoolDown().toNanos());
    }

    /** An active health probe of the target's backend succeeded: an open breaker closes without waiting for a trial. */
    public void probeSucceeded(Target target) {
        if (target.state().breakerOpen(config.breakerFailureThreshold())) {
            target.state().recovered();
        }
    }

    /** How long until some target of the pool that is parked now may take requests again. */
    public long nanosUntilUsable(Pool pool) {
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (Target target : pool.targets()) {
            soonest = Math.min(soonest, target.state().parkedForNanos(now));
        }
        return soonest;
    }

    /** The target answered 429: park it for as long as it asks. */
    public void throttled(Pool pool, Target target, MultiMap headers) {
        metrics.attempt(pool, target, "429");
        long delay = RetryHints.of(headers).orElse(config.defaultRetryAfter()).toNanos();
        target.state().throttled(System.nanoTime() + delay);
    }

    /** The target answered 5xx ({@code status}), or with no answer at all (0: connection error, timeout). */
    public void failed(Pool pool, Target target, int status) {
        metrics.attempt(pool, target, status == 0 ? "error" : "5xx");
        target.state().failed(System.nanoTime(), config.breakerFailureThreshold(), config.breakerCoolDown().toNanos());
    }

    /**
     * The request never reached the target: no connection to it was free in time. The gateway's overload, not the
     * backend's failure, so neither a breaker failure nor a success; counted as such.
     */
    public void notSent(Pool pool, Target target) {
        metrics.attempt(pool, target, "not-sent");
        target.state().notSent();
    }

    /** The target answered with anything but a throttle or a failure, after that long. */
    public void succeeded(Pool pool, Target target, int status, MultiMap headers, long latencyNanos) {
        metrics.attempt(pool, target, status / 100 + "xx");
        metrics.firstByte(target, latencyNanos);
        target.state().succeeded();
        target.state().observed(System.nanoTime(), number(headers.get("x-ratelimit-remaining-tokens")),
                number(headers.get("x-ratelimit-remaining-requests")), latencyNanos);
    }

    private static long number(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
