package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus view of the traffic, fed from the same records as the database: requests and latency per deployment,
 * backend and status, and tokens per deployment, model and kind.
 *
 * <p>Label values stay bounded: app ids are left out (per-app figures come from the usage API), and a request that
 * reached no backend is counted under deployment {@code -}, so callers inventing deployment names cannot grow the
 * metric set. Meters are looked up once per label combination, not built per request.
 */
@Singleton
public class UsageMetrics {

    private static final String NONE = "-";

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> durations = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> tokens = new ConcurrentHashMap<>();

    public UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(UsageRecord record) {
        String backend = record.backendId() == null ? NONE : record.backendId();
        String deployment = record.backendId() == null ? NONE : record.deployment();
        requests.computeIfAbsent(List.of(deployment, backend, String.valueOf(record.status())), key ->
                Counter.builder("tollgate.gateway.requests").description("Requests through the gateway")
                        .tags("deployment", key.get(0), "backend", key.get(1), "status", key.get(2))
                        .register(registry)).increment();
        durations.computeIfAbsent(List.of(deployment, backend), key ->
                Timer.builder("tollgate.gateway.request.duration")
                        .description("Time from request to the end of the answer")
                        .tags("deployment", key.get(0), "backend", key.get(1))
                        .publishPercentileHistogram()
                        // Long generations take minutes; the default top bucket (30 s) would flatten p99.
                        .maximumExpectedValue(Duration.ofMinutes(10))
                        .register(registry)).record(Duration.ofMillis(record.latencyMs()));
        Usage usage = record.usage();
        if (usage.totalTokens() > 0) {
            String model = record.model() == null ? "unknown" : record.model();
            tokens(deployment, model, "input", usage.inputTokens());
            tokens(deployment, model, "cached_input", usage.cachedInputTokens());
            tokens(deployment, model, "output", usage.outputTokens());
            tokens(deployment, model, "reasoning", usage.reasoningTokens());
        }
    }

    private void tokens(String deployment, String model, String type, long count) {
        if (count > 0) {
            tokens.computeIfAbsent(List.of(deployment, model, type), key ->
                    Counter.builder("tollgate.tokens")
                            .description("Tokens metered, by kind (cached is part of input, reasoning part of output)")
                            .tags("deployment", key.get(0), "model", key.get(1), "type", key.get(2))
                            .register(registry)).increment(count);
        }
    }
}
