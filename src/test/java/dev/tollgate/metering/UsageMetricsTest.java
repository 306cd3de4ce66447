package dev.tollgate.metering;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Prometheus meters a record feeds: one per label combination, counts and tokens summed exactly. */
class UsageMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final UsageMetrics metrics = new UsageMetrics(registry);

    @Test
    void countsRequestsByTargetAndStatusAndTokensByModelAndKind() {
        metrics.count(record("east", "gpt-4o", 200, 40, new Usage(10, 4, 5, 2, 15, UsageSource.REPORTED)));
        metrics.count(record("east", "gpt-4o", 200, 60, new Usage(1, 0, 1, 0, 2, UsageSource.REPORTED)));
        metrics.count(record("east", "gpt-4o", 429, 5, new Usage(0, 0, 0, 0, 0, UsageSource.NONE)));
        metrics.count(record("west", null, 200, 7, new Usage(3, 0, 0, 0, 3, UsageSource.ESTIMATED)));
        metrics.count(record(null, null, 401, 1, new Usage(0, 0, 0, 0, 0, UsageSource.NONE)));

        assertThat(requests("gpt-4o", "east", "200")).isEqualTo(2);
        assertThat(requests("gpt-4o", "east", "429")).isEqualTo(1);
        assertThat(requests("gpt-4o", "west", "200")).isEqualTo(1);
        assertThat(requests("-", "-", "401")).as("no backend reached: no deployment label").isEqualTo(1);
        assertThat(registry.get("tollgate.gateway.request.duration").tags("deployment", "gpt-4o", "backend", "east")
                .timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(105);
        assertThat(tokens("gpt-4o-2024-08-06", "input")).isEqualTo(11);
        assertThat(tokens("gpt-4o-2024-08-06", "cached_input")).isEqualTo(4);
        assertThat(tokens("gpt-4o-2024-08-06", "output")).isEqualTo(6);
        assertThat(tokens("gpt-4o-2024-08-06", "reasoning")).isEqualTo(2);
        assertThat(tokens("unknown", "input")).isEqualTo(3);
        assertThat(registry.find("tollgate.tokens").tag("model", "unknown").tag("type", "output").counter())
                .as("created with its model's other kinds, still zero").isNotNull()
                .satisfies(counter -> assertThat(counter.count()).isZero());
    }

    private double requests(String deployment, String backend, String status) {
        return registry.get("tollgate.gateway.requests")
                .tags("deployment", deployment, "backend", backend, "status", status).counter().count();
    }

    private double tokens(String model, String type) {
        return registry.get("tollgate.tokens").tags("deployment", "gpt-4o", "model", model, "type", type)
                .counter().count();
    }

    private static UsageRecord record(String backend, String model, int status, int latencyMs, Usage usage) {
        return new UsageRecord(UUID.randomUUID(), Instant.now(), "app", "tenant", "gpt-4o",
                model == null ? null : model + "-2024-08-06", backend, "eastus", null, "chat/completions", false,
                status, latencyMs, backend == null ? 0 : 1, usage, null, null);
    }
}
