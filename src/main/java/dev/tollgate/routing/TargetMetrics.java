package dev.tollgate.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-target metrics, tagged pool / backend / upstream deployment: attempts by outcome (2xx, 4xx, 429, 5xx, error),
 * time to first byte, and gauges of the live state (seconds still parked, breaker open, consecutive failures).
 */
@Singleton
public class TargetMetrics {

    private final MeterRegistry registry;
    private final RoutingConfig config;
    private final Map<TargetState, Map<String, Counter>> attempts = new ConcurrentHashMap<>();
    private final Map<TargetState, Timer> latency = new ConcurrentHashMap<>();

    public TargetMetrics(MeterRegistry registry, RoutingConfig config) {
        this.registry = registry;
        this.config = config;
    }

    /** Registers the state gauges of a pool's targets. */
    void register(Pool pool) {
        for (Target target : pool.targets()) {
            Tags tags = tags(pool.deployment(), target);
            // Gauges watch the state, which outlives a reload of the target (strongly held, for the same reason);
            // those of a target replaced by a reload are dropped first, or the registry would keep the old ones.
            TargetState state = target.state();
            for (String gauge : List.of("tollgate.target.parked.seconds", "tollgate.target.breaker.open",
                    "tollgate.target.consecutive.failures")) {
                registry.find(gauge).tags(tags).meters().forEach(registry::remove);
            }
            Gauge.builder("tollgate.target.parked.seconds", state, s -> s.parkedForNanos(System.nanoTime()) / 1e9)
                    .strongReference(true)
                    .description("Seconds until the target takes requests again (0 = usable)")
                    .tags(tags).register(registry);
            Gauge.builder("tollgate.target.breaker.open", state, s -> s.breakerOpen(config.breakerFailureThreshold()) ? 1 : 0)
                    .strongReference(true)
                    .description("1 while the target's circuit breaker is open or half-open")
                    .tags(tags).register(registry);
            Gauge.builder("tollgate.target.consecutive.failures", state, TargetState::consecutiveFailures)
                    .strongReference(true).tags(tags).register(registry);
            attempts.putIfAbsent(state, new ConcurrentHashMap<>());
            latency.putIfAbsent(state, Timer.builder("tollgate.target.first.byte").tags(tags)
                    .description("Time from sending a request to the target to its answer's first byte")
                    .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5))
                    .register(registry));
        }
    }

    /** Drops the meters of a target a reload removed, so that it stops reporting (an open breaker would alert on). */
    void unregister(Pool pool, Target target) {
        registry.find("tollgate.target.parked.seconds").tags(tags(pool.deployment(), target)).meters()
                .forEach(registry::remove);
        for (String name : List.of("tollgate.target.breaker.open", "tollgate.target.consecutive.failures",
                "tollgate.target.attempts", "tollgate.target.first.byte")) {
            registry.find(name).tags(tags(pool.deployment(), target)).meters().forEach(registry::remove);
        }
        attempts.remove(target.state());
        latency.remove(target.state());
    }

    void attempt(Pool pool, Target target, String outcome) {
        attempts.get(target.state()).computeIfAbsent(outcome, o -> Counter.builder("tollgate.target.attempts")
                .description("Requests sent to the target, by outcome")
                .tags(tags(pool.deployment(), target)).tag("outcome", o)
                .register(registry)).increment();
    }

    void firstByte(Target target, long nanos) {
        latency.get(target.state()).record(Duration.ofNanos(nanos));
    }

    private static Tags tags(String pool, Target target) {
        return Tags.of("pool", pool, "backend", target.backend().id(), "upstream_deployment", target.upstreamDeployment());
    }
}
