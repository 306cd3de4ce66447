package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.identity.Caller;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.routing.Backend;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.routing.Target;
import dev.tollgate.support.Requests;
import dev.tollgate.support.ScratchDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal against a real PostgreSQL (a database of this test's own): what a process killed mid-stream leaves on
 * disk is recorded at the next start, finished requests exactly, unfinished ones as interrupted, and replaying the same
 * journal twice doubles nothing; while the database is away records stay on disk, and are written once it is back. The
 * journal is synced by hand here ({@link UsageJournal#sync()}), never by its thread, so that every step is known.
 */
class UsageJournalTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story about a "
            + "lighthouse keeper and the sea\"}],\"stream\":true}";

    @TempDir
    Path directory;

    private final ScratchDatabase database = new ScratchDatabase("journal");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void aProcessKilledMidStreamIsChargedAtTheNextStartFinishedExactlyUnfinishedAsInterruptedAndOnlyOnce()
            throws Exception {
        Path copy = Files.createTempDirectory("journal-copy");
        UsageJournal killed = journal(directory, new UsageWriter(ScratchDatabase.unreachable(), new PriceCatalogCache()));
        Meter finished = meter(killed);
        Meter streaming = meter(killed);
        killed.sync();
        UsageRecord done = finished.finish(200, new Usage(40, 0, 12, 0, 52, UsageSource.REPORTED), "gpt-4o-2024-08-06");
        killed.recorded(done);
        killed.sync();
        // SIGKILL: nothing more happens to this journal. Its files, as the next start finds them:
        copyFiles(directory, copy);

        restart(directory, database.writer());

        assertThat(database.ids()).containsExactlyInAnyOrder(done.id(), streaming.id());
        assertThat(database.queryLong("select total_tokens from usage_record where id = '" + done.id()
                + "' and usage_source = 'reported'")).isEqualTo(52);
        long prompt = database.queryLong("select input_tokens from usage_record where id = '" + streaming.id()
                + "' and usage_source = 'interrupted' and status = 0 and output_tokens = 0");
        assertThat(prompt).as("the prompt's estimate").isGreaterThan(10);
        assertThat(files(directory)).as("all written: the journal is empty").isEmpty();

        restart(copy, database.writer());

        assertThat(database.queryLong("select count(*) from usage_record")).as("replayed twice, stored once")
                .isEqualTo(2);
    }

    @Test
    void whileTheDatabaseIsAwayRecordsStayInTheJournalAndAreWrittenOnceWhenItIsBack() throws Exception {
        UsageRecorder away = recorder(new UsageWriter(ScratchDatabase.unreachable(), new PriceCatalogCache()));
        UsageJournal journal = journal(directory, away);
        List<UsageRecord> served = Stream.generate(() -> {
            Meter meter = meter(journal);
            return meter.finish(200, new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), "gpt-4o-2024-08-06");
        }).limit(7).toList();
        served.forEach(journal::recorded);
        journal.sync();
        away.start();
        away.stop();
        journal.close();
        assertThat(files(directory)).isNotEmpty();
        assertThat(database.ids()).isEmpty();

        restart(directory, database.writer());

        assertThat(database.ids()).containsExactlyInAnyOrderElementsOf(served.stream().map(UsageRecord::id).toList());
        assertThat(files(directory)).isEmpty();
    }

    @Test
    void aJournalThatCannotWriteRefusesNewRequestsAndSaysSo() throws Exception {
        Path notADirectory = Files.writeString(directory.resolve("file"), "not a directory");
        UsageJournal journal = journal(notADirectory, database.writer());
        assertThat(journal.accepting()).isTrue();
        meter(journal).finish(400, Usage.none(), null);
        journal.recorded(meter(journal).finish(400, Usage.none(), null));

        journal.sync();

        assertThat(journal.healthy()).isFalse();
        assertThat(journal.accepting()).isFalse();
    }

    /**
     * The journal's thread syncs while the event loop feeds answers through their taps: what it writes must not touch
     * a tap. It once read a JSON answer's model from the tap at a sync; a reading made of half the body was then kept
     * for the whole one, and a complete answer was metered as an estimate. Many answers, each cut in two, against a
     * journal syncing without pause: every complete answer still reads its usage.
     */
    @Test
    void aSyncUnderWayNeverChangesWhatAnAnswerThatPassesMeanwhileReads() throws Exception {
        UsageJournal journal = journal(directory, database.writer());
        byte[] body = Fixtures.load("chat-completion.json");
        UsageTaps taps = new UsageTaps(MAPPER);
        AtomicBoolean feeding = new AtomicBoolean(true);
        Thread syncing = new Thread(() -> {
            while (feeding.get()) {
                journal.sync();
            }
        }, "journal-sync-under-test");
        syncing.start();
        int withoutUsage = 0;
        try {
            for (int i = 0; i < 5_000; i++) {
                Meter meter = meter(journal);
                UsageTap tap = taps.forAnswer("chat/completions", "application/json", false);
                meter.answering(200, null, tap);
                for (int from = 0; from < body.length; from += 16) {
                    tap.onChunk(Buffer.buffer().appendBytes(body, from, Math.min(16, body.length - from)));
                    long until = System.nanoTime() + 2_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait(); // chunks come apart on the network: the sync meets answers half-fed
                    }
                }
                tap.onEnd();
                if (tap.usage().isEmpty()) {
                    withoutUsage++;
                }
                journal.recorded(meter.finish(200, tap.usage().orElse(Usage.missing()), null));
            }
        } finally {
            feeding.set(false);
            syncing.join();
        }
        assertThat(withoutUsage).as("complete answers read without their usage").isZero();
    }

    /** A new process on the same journal: recovers, writes everything, shuts down. */
    private void restart(Path journalDirectory, UsageSink store) {
        UsageRecorder recorder = recorder(store);
        UsageJournal journal = journal(journalDirectory, recorder);
        journal.recover();
        journal.sync();
        recorder.start();
        recorder.stop();
        journal.close();
    }

    private UsageJournal journal(Path journalDirectory, UsageSink store) {
        return journal(journalDirectory, recorder(store));
    }

    private UsageJournal journal(Path journalDirectory, UsageRecorder recorder) {
        MeteringConfig config = settings(journalDirectory);
        return new UsageJournal(config, new JournalFormat(), new ServedModels(config),
                recorder, new SimpleMeterRegistry());
    }

    private UsageRecorder recorder(UsageSink store) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        return new UsageRecorder(store, new JournalFormat(), new UsageMetrics(registry),
                settings(directory), registry);
    }

    private static Meter meter(UsageJournal journal) {
        Meter meter = new Meter(new Caller("app-journal", "tenant", null, Set.of(), null), journal);
        InboundRequest request = Requests.read("gpt-4o", "chat/completions", CHAT);
        meter.asked(request.deployment(), request.operation().path(), true, request.body(),
                request.tokens().quickPrompt());
        meter.attempt(new Target(new Backend("sim-1", URI.create("http://127.0.0.1:9"), null,
                Optional.of("swedencentral"), DeploymentType.GLOBAL, Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), "gpt-4o", 1, 1));
        return meter;
    }

    private static List<Path> files(Path journalDirectory) throws IOException {
        try (Stream<Path> listing = Files.list(journalDirectory)) {
            return listing.toList();
        }
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        for (Path file : files(from)) {
            Files.copy(file, to.resolve(file.getFileName()));
        }
    }


    /** Small batches; segments never sealed by age (the test seals them at close). */
    private static MeteringSettings settings(Path journal) {
        return MeteringSettings.of(100, 2, journal, Duration.ofHours(1), true);
    }
}
