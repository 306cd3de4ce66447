package dev.tollgate.metering;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness follows what the gateway can record, not the database: while PostgreSQL is away (even at start) the
 * gateway keeps serving and its records wait in the journal, so taking every replica out of the load balancer at once
 * would turn a storage outage into a full one. Not ready: the journal cannot write (new requests are refused anyway),
 * or the gateway is shutting down. The details say whether the database is reachable and how much waits for it.
 */
@Readiness
@ApplicationScoped
public class UsageBacklogCheck implements HealthCheck {

    private final UsageRecorder recorder;
    private final UsageJournal journal;
    private final ShutdownPhase shutdown;

    public UsageBacklogCheck(UsageRecorder recorder, UsageJournal journal, ShutdownPhase shutdown) {
        this.recorder = recorder;
        this.journal = journal;
        this.shutdown = shutdown;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("usage-recording")
                .status(journal.healthy() && !shutdown.stopping())
                .withData("journal", journal.healthy() ? "writing" : "failing")
                .withData("database", recorder.started() ? "writing" : "waiting (not reachable since start)")
                .withData("backlog", recorder.backlog())
                .withData("journalSegmentsToReplay", recorder.segmentsToReplay())
                .withData("shuttingDown", shutdown.stopping())
                .build();
    }
}
