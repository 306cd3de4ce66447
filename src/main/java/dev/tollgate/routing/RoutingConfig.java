package dev.tollgate.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How targets are parked when they throttle and cut off when they keep failing. */
@ConfigMapping(prefix = "tollgate.routing")
public interface RoutingConfig {

    /** How long a target that answered 429 is parked when the answer carries no retry hint. */
    @WithDefault("PT10S")
    Duration defaultRetryAfter();

    /** Consecutive failures (5xx, timeouts, connection errors) that open a target's circuit breaker. */
    @WithDefault("5")
    int breakerFailureThreshold();

    /** How long an open breaker keeps the target out before one trial request may go through (half-open). */
    @WithDefault("PT30S")
    Duration breakerCoolDown();
}
