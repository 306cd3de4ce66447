package dev.tollgate.admission.alerts;

import dev.tollgate.admission.Refused;
import dev.tollgate.admission.engine.AdmissionEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus counters of admission: refusals by rule and reason, soft-threshold alerts by rule, measure and
 * threshold, failed exchange rounds, refusals made without the tokenizer's recount (too many counting).
 * Labels stay bounded: rule ids (operators create them) and fixed reasons, never app ids. Meters are looked up once
 * per label combination.
 */
public final class AdmissionMetrics implements AdmissionEngine.RefusalListener {

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> refusals = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> alerts = new ConcurrentHashMap<>();

    private final Counter exchangeFailures;
    private final Counter recountsSkipped;

    public AdmissionMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.exchangeFailures = Counter.builder("tollgate.admission.exchange.failures")
                .description("Rounds of the admission exchange with PostgreSQL that failed").register(registry);
        this.recountsSkipped = Counter.builder("tollgate.admission.recounts.skipped")
                .description("Refusals on tokens left to the quick estimate: max-recounts-in-flight prompts were "
                        + "being counted").register(registry);
    }

    public void exchangeFailed() {
        exchangeFailures.increment();
    }

    @Override
    public void refused(Refused refused) {
        refusals.computeIfAbsent(List.of(refused.ruleId(), refused.code()), key ->
                Counter.builder("tollgate.admission.refusals").description("Requests refused by admission")
                        .tags("rule", key.get(0), "reason", key.get(1)).register(registry)).increment();
    }

    @Override
    public void recountSkipped(Refused refused) {
        recountsSkipped.increment();
    }

    void alerted(String ruleId, String measure, int threshold) {
        alerts.computeIfAbsent(List.of(ruleId, measure, String.valueOf(threshold)), key ->
                Counter.builder("tollgate.admission.alerts")
                        .description("Soft thresholds of quotas and budgets reached (once per threshold and period)")
                        .tags("rule", key.get(0), "measure", key.get(1), "threshold", key.get(2))
                        .register(registry)).increment();
    }
}
