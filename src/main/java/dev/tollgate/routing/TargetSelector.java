package dev.tollgate.routing;

import io.vertx.core.MultiMap;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Picks the target for each attempt of a request, and learns from how targets answer: a 429 parks the target for as
 * long as it asks (else a default), failures count towards its circuit breaker, any other answer closes it.
 */
@ApplicationScoped
public class TargetSelector {

    private final RoutingConfig config;

    public TargetSelector(RoutingConfig config) {
        this.config = config;
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

    /** How long until some target of the pool that is parked now may take requests again. */
    public long nanosUntilUsable(Pool pool) {
        long now = System.nanoTime();
        long soonest = Long.MAX_VALUE;
        for (Target target : pool.targets()) {
            soonest = Math.min(soonest, target.state().parkedForNanos(now));
        }
        return soonest;
    }

    public void throttled(Target target, MultiMap headers) {
        long delay = RetryHints.of(headers).orElse(config.defaultRetryAfter()).toNanos();
        target.state().throttled(System.nanoTime() + delay);
    }

    public void failed(Target target) {
        target.state().failed(System.nanoTime(), config.breakerFailureThreshold(), config.breakerCoolDown().toNanos());
    }

    public void succeeded(Target target) {
        target.state().succeeded();
    }
}
