package dev.tollgate.admission;

import dev.tollgate.admission.alerts.AdmissionMetrics;
import dev.tollgate.admission.engine.AdmissionEngine;
import dev.tollgate.admission.engine.AppOwners;
import dev.tollgate.admission.estimate.CostEstimator;
import dev.tollgate.admission.estimate.DemandEstimator;
import dev.tollgate.metering.TokenEstimator;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * The admission stage: whether a request may go upstream, under the per-app, business-unit, cost-center and default
 * rules (docs/admission.md). The request path calls {@link #admitQuickly} on the event loop; the counts it decides on
 * are exchanged with the other replicas by {@link AdmissionLifecycle} on a thread of its own.
 */
@Singleton
public class Admission {

    private final boolean enabled;
    private final AdmissionMetrics metrics;
    private final AdmissionEngine engine;

    public Admission(AdmissionConfig config, TokenEstimator tokenizer, MeterRegistry registry) {
        this.enabled = config.enabled();
        this.metrics = new AdmissionMetrics(registry);
        this.engine = new AdmissionEngine(config.timeZone(), System::currentTimeMillis,
                new DemandEstimator(tokenizer, config.defaultOutputReserve()), new CostEstimator(), new AppOwners(),
                metrics, config.maxRecountsInFlight());
    }

    /**
     * Called on the Vert.x event loop for every request: no I/O, no locks held long, no allocation storms. A request
     * the quick estimate would refuse on tokens is a {@link Recount}, for {@link #recount} on a worker thread.
     */
    public Decision admitQuickly(Demand demand) {
        return enabled ? engine.admitQuickly(demand) : AdmissionEngine.ADMITTED_FREE;
    }

    /** The decision on a {@link Recount}, with the prompt counted by the model's tokenizer: blocking, off the loop. */
    public Decision recount(Demand demand) {
        return enabled ? engine.recount(demand) : AdmissionEngine.ADMITTED_FREE;
    }

    AdmissionEngine engine() {
        return engine;
    }

    AdmissionMetrics metrics() {
        return metrics;
    }
}
