package dev.tollgate.metering;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness follows the usage backlog, not the database: while PostgreSQL is away the gateway keeps serving and its
 * records wait, so taking every replica out of the load balancer at once would turn a storage outage into a full one.
 * A replica whose backlog is nearly full reports not ready, so traffic moves to replicas that can still record it.
 */
@Readiness
@ApplicationScoped
public class UsageBacklogCheck implements HealthCheck {

    /** Share of the queue above which the replica asks for no new traffic. */
    static final double NOT_READY_ABOVE = 0.9;

    private final UsageRecorder recorder;

    public UsageBacklogCheck(UsageRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public HealthCheckResponse call() {
        int backlog = recorder.backlog();
        return HealthCheckResponse.named("usage-backlog")
                .status(backlog <= recorder.capacity() * NOT_READY_ABOVE)
                .withData("backlog", backlog)
                .withData("capacity", recorder.capacity())
                .build();
    }
}
