package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Prometheus view of the traffic, fed from the same records as the database: requests and latency per deployment,
 * backend and status, and tokens per deployment, model and kind. App ids are left out on purpose (unbounded label
 * values); per-app figures come from the usage API.
 */
@ApplicationScoped
public class UsageMetrics {

    private static final String NONE = "none";

    private final MeterRegistry registry;

    public UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(UsageRecord record) {
        String backend = record.backendId() == null ? NONE : record.backendId();
        String status = String.valueOf(record.status());
        Counter.builder("tollgate.gateway.requests").description("Requests through the gateway")
                .tags("deployment", record.deployment(), "backend", backend, "status", status)
                .register(registry).increment();
        Timer.builder("tollgate.gateway.request.duration").description("Time from request to the end of the answer")
                .tags("deployment", record.deployment(), "backend", backend)
                .publishPercentileHistogram()
                .register(registry).record(Duration.ofMillis(record.latencyMs()));
        Usage usage = record.usage();
        if (usage.totalTokens() > 0) {
            String model = record.model() == null ? "unknown" : record.model();
            tokens(record.deployment(), model, "input", usage.inputTokens());
            tokens(record.deployment(), model, "cached_input", usage.cachedInputTokens());
            tokens(record.deployment(), model, "output", usage.outputTokens());
            tokens(record.deployment(), model, "reasoning", usage.reasoningTokens());
        }
    }

    private void tokens(String deployment, String model, String type, long count) {
        if (count > 0) {
            Counter.builder("tollgate.tokens").description("Tokens metered, by kind (cached is part of input, reasoning part of output)")
                    .tags("deployment", deployment, "model", model, "type", type)
                    .register(registry).increment(count);
        }
    }
}
