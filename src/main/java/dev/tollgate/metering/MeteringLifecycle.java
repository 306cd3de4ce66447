package dev.tollgate.metering;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Metering's part of the process' start and end. At start, the journal replays the run before. The writer starts only
 * once the database is migrated (see {@code lifecycle.DatabaseStartup}). At shutdown, once the HTTP drain is over and
 * before the event loops stop: every request still running is recorded here, synchronously, with an estimate (which
 * loads the tokenizer first if nothing needed it before, about half a second), then the writer writes what it holds,
 * and the journal keeps what the database did not take.
 */
@ApplicationScoped
public class MeteringLifecycle {

    private static final Logger LOG = Logger.getLogger(MeteringLifecycle.class);

    private final UsageJournal journal;
    private final UsageRecorder recorder;
    private final MeteringStage metering;

    public MeteringLifecycle(UsageJournal journal, UsageRecorder recorder, MeteringStage metering) {
        this.journal = journal;
        this.recorder = recorder;
        this.metering = metering;
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        journal.start();
    }

    /** Runs before the database goes away (lower priority value, earlier observer). */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        journal.stopThread();
        journal.sync();
        List<Meter> running = journal.stillOpen();
        for (Meter meter : running) {
            try {
                metering.recorded(meter, metering.recordNow(meter));
            } catch (RuntimeException e) {
                // Its journal entry stays open: the next start records it as interrupted.
                LOG.warnf("Could not record request %s at shutdown (%s); recorded at the next start", meter.id(),
                        e.toString());
            }
        }
        journal.sync();
        if (!running.isEmpty()) {
            LOG.infof("Shutdown: %d requests still running after the drain were cut and recorded with an estimate",
                    running.size());
        }
        recorder.stop();
        journal.close();
    }
}
