package dev.tollgate.metering;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Prometheus view of the traffic, fed from the same records as the database: requests and latency per deployment,
 * backend and status, and tokens per deployment, model and kind.
 *
 * <p>Label values stay bounded: app ids are left out (per-app figures come from the usage API), and a request that
 * reached no backend is counted under deployment {@code -}, so callers inventing deployment names cannot grow the
 * metric set. Meters are looked up once per label combination, not built per request, through maps nested by label
 * rather than keyed by a list of labels: counting a record allocates nothing.
 */
@Singleton
public class UsageMetrics {

    private static final String NONE = "-";
    private static final String[] TOKEN_TYPES = {"input", "cached_input", "output", "reasoning"};

    private final MeterRegistry registry;
    /** deployment, then backend. */
    private final Map<String, Map<String, TargetMeters>> targets = new ConcurrentHashMap<>();
    /** deployment, then model: a counter per {@link #TOKEN_TYPES} entry. */
    private final Map<String, Map<String, Counter[]>> tokens = new ConcurrentHashMap<>();

    public UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void count(UsageRecord record) {
        String backend = record.backendId() == null ? NONE : record.backendId();
        String deployment = record.backendId() == null ? NONE : record.deployment();
        TargetMeters target = nested(targets, deployment, backend);
        if (target == null) {
            target = targets.computeIfAbsent(deployment, d -> new ConcurrentHashMap<>())
                    .computeIfAbsent(backend, b -> new TargetMeters(deployment, backend));
        }
        target.requests(record.status()).increment();
        target.duration.record(record.latencyMs(), TimeUnit.MILLISECONDS);
        Usage usage = record.usage();
        if (usage.totalTokens() > 0) {
            String model = record.model() == null ? "unknown" : record.model();
            Counter[] byType = nested(tokens, deployment, model);
            if (byType == null) {
                byType = tokens.computeIfAbsent(deployment, d -> new ConcurrentHashMap<>())
                        .computeIfAbsent(model, m -> tokenCounters(deployment, model));
            }
            add(byType[0], usage.inputTokens());
            add(byType[1], usage.cachedInputTokens());
            add(byType[2], usage.outputTokens());
            add(byType[3], usage.reasoningTokens());
        }
    }

    private static <T> T nested(Map<String, Map<String, T>> outer, String first, String second) {
        Map<String, T> inner = outer.get(first);
        return inner == null ? null : inner.get(second);
    }

    private static void add(Counter counter, long count) {
        if (count > 0) {
            counter.increment(count);
        }
    }

    private Counter[] tokenCounters(String deployment, String model) {
        Counter[] counters = new Counter[TOKEN_TYPES.length];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = Counter.builder("tollgate.tokens")
                    .description("Tokens metered, by kind (cached is part of input, reasoning part of output)")
                    .tags("deployment", deployment, "model", model, "type", TOKEN_TYPES[i])
                    .register(registry);
        }
        return counters;
    }

    /** The meters of one deployment on one backend: its latency, and its requests by status. */
    private final class TargetMeters {

        private static final int STATUSES = 600;

        private final String deployment;
        private final String backend;
        private final Timer duration;
        private final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(STATUSES);

        TargetMeters(String deployment, String backend) {
            this.deployment = deployment;
            this.backend = backend;
            this.duration = Timer.builder("tollgate.gateway.request.duration")
                    .description("Time from request to the end of the answer")
                    .tags("deployment", deployment, "backend", backend)
                    .publishPercentileHistogram()
                    // Long generations take minutes; the default top bucket (30 s) would flatten p99.
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .register(registry);
        }

        Counter requests(int status) {
            if (status < 0 || status >= STATUSES) {
                return register(status);
            }
            Counter counter = byStatus.get(status);
            if (counter == null) {
                // Registering the same meter twice gives the same counter: a race here costs nothing.
                counter = register(status);
                byStatus.set(status, counter);
            }
            return counter;
        }

        private Counter register(int status) {
            return Counter.builder("tollgate.gateway.requests").description("Requests through the gateway")
                    .tags("deployment", deployment, "backend", backend, "status", String.valueOf(status))
                    .register(registry);
        }
    }
}
