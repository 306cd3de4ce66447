package dev.tollgate.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-target metrics, tagged pool / backend / upstream deployment: attempts by outcome (2xx, 4xx, 429, 5xx, error),
 * time to first byte, and gauges of the live state (seconds still parked, breaker open, consecutive failures).
 */
@ApplicationScoped
public class TargetMetrics {

    private final MeterRegistry registry;
    private final RoutingConfig config;
    private final Map<Target, Map<String, Counter>> attempts = new ConcurrentHashMap<>();
    private final Map<Target, Timer> latency = new ConcurrentHashMap<>();

    public TargetMetrics(MeterRegistry registry, RoutingConfig config) {
        this.registry = registry;
        this.config = config;
    }

    /** Registers the state gauges of a pool's targets. */
    void register(Pool pool) {
        for (Target target : pool.targets()) {
            Tags tags = tags(pool.deployment(), target);
            Gauge.builder("tollgate.target.parked.seconds", target,
                            t -> t.state().parkedForNanos(System.nanoTime()) / 1e9)
                    .description("Seconds until the target takes requests again (0 = usable)")
                    .tags(tags).register(registry);
            Gauge.builder("tollgate.target.breaker.open", target,
                            t -> t.state().breakerOpen(config.breakerFailureThreshold()) ? 1 : 0)
                    .description("1 while the target's circuit breaker is open or half-open")
                    .tags(tags).register(registry);
            Gauge.builder("tollgate.target.consecutive.failures", target, t -> t.state().consecutiveFailures())
                    .tags(tags).register(registry);
            attempts.put(target, new ConcurrentHashMap<>());
            latency.put(target, Timer.builder("tollgate.target.first.byte").tags(tags)
                    .description("Time from sending a request to the target to its answer's first byte")
                    .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5))
                    .register(registry));
        }
    }

    void attempt(Pool pool, Target target, String outcome) {
        attempts.get(target).computeIfAbsent(outcome, o -> Counter.builder("tollgate.target.attempts")
                .description("Requests sent to the target, by outcome")
                .tags(tags(pool.deployment(), target)).tag("outcome", o)
                .register(registry)).increment();
    }

    void firstByte(Target target, long nanos) {
        latency.get(target).record(Duration.ofNanos(nanos));
    }

    private static Tags tags(String pool, Target target) {
        return Tags.of("pool", pool, "backend", target.backend().id(), "upstream_deployment", target.upstreamDeployment());
    }
}
