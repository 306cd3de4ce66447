package dev.tollgate.metering;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Where the gateway is in a graceful shutdown (SIGTERM). At once: readiness reports DOWN, so that Kubernetes and
 * Container Apps stop routing here. After the pre-stop delay ({@code quarkus.shutdown.delay}): new requests are refused
 * with 503 and {@code Retry-After} (SDKs retry, on another replica) and their connections closed, while the requests
 * in flight get the rest of the drain ({@code quarkus.shutdown.timeout}); Quarkus itself would go on serving them.
 */
@Singleton
public class ShutdownPhase {

    private static final Logger LOG = Logger.getLogger(ShutdownPhase.class);
    private static final long RUNNING = Long.MIN_VALUE;

    private final long preStopDelayNanos;
    private volatile long stoppingSince = RUNNING;

    public ShutdownPhase(@ConfigProperty(name = "quarkus.shutdown.delay", defaultValue = "PT0S") Duration preStopDelay) {
        this.preStopDelayNanos = preStopDelay.toNanos();
    }

    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        stoppingSince = System.nanoTime();
        LOG.infof("Shutting down: not ready from now on; new requests refused (503) in %d ms, when the pre-stop delay "
                + "ends", preStopDelayNanos / 1_000_000);
    }

    /** The shutdown has begun: readiness is DOWN. */
    public boolean stopping() {
        return stoppingSince != RUNNING;
    }

    /** The pre-stop delay is over: new requests are refused. */
    public boolean refusingNewRequests() {
        long since = stoppingSince;
        return since != RUNNING && System.nanoTime() - since >= preStopDelayNanos;
    }
}
