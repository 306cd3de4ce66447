package dev.tollgate.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** How targets are parked when they throttle and cut off when they keep failing, and where routing can be changed live. */
@ConfigMapping(prefix = "tollgate.routing")
public interface RoutingConfig {

    /**
     * A properties file of {@code tollgate.backends.*} and {@code tollgate.pools.*} keys, read over the application's
     * configuration and watched: a change is applied without a restart (requests in flight are unharmed). A missing
     * file means the application's configuration alone.
     */
    Optional<Path> file();

    /** How often the routing file is checked for changes. */
    @WithDefault("PT10S")
    Duration fileCheckInterval();

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
