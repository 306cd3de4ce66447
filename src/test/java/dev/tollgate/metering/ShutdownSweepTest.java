package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.ErrorWriter;
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
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shutdown's sweep ({@link MeteringLifecycle#stop}), forced: requests still running when the drain is over are
 * recorded there, synchronously, with their estimate (the prompt, and the output streamed so far), once each, before
 * the journal closes; no event loop is involved (the stage has no Vert.x here, as none runs then). Across processes,
 * {@code JournalFaultIT} sees the same, but there the relay closing its connections may record them first.
 */
class ShutdownSweepTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a long story about a "
            + "lighthouse keeper and the sea\"}],\"stream\":true}";
    private static final String STREAMED = "Once upon a time, on a rock far out in the northern sea, there lived a "
            + "lighthouse keeper who counted the ships";

    @TempDir
    Path directory;

    private final ScratchDatabase database = new ScratchDatabase("sweep");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void requestsStillRunningAtTheDeadlineAreRecordedOnceWithTheirEstimateBeforeTheJournalCloses() throws Exception {
        Gateway gateway = new Gateway(database.writer());
        Meter waiting = gateway.request();
        Meter streaming = gateway.request();
        gateway.stream(streaming);
        Meter finished = gateway.request();
        gateway.stage.recorded(finished,
                finished.finish(200, new Usage(20, 0, 8, 0, 28, UsageSource.REPORTED), "gpt-4o-2024-08-06"));
        gateway.journal.sync();

        gateway.lifecycle.stop(null);

        assertThat(database.ids()).containsExactlyInAnyOrder(waiting.id(), streaming.id(), finished.id());
        assertThat(database.queryLong("select input_tokens from usage_record where id = '" + waiting.id()
                + "' and usage_source = 'estimated' and status = 503 and output_tokens = 0"))
                .as("no answer yet: the prompt, estimated").isGreaterThan(10);
        assertThat(database.queryLong("select output_tokens from usage_record where id = '" + streaming.id()
                + "' and usage_source = 'estimated' and status = 200 and model = 'gpt-4o-2024-08-06'"))
                .as("the output streamed so far, estimated").isGreaterThan(10);
        assertThat(database.queryLong("select total_tokens from usage_record where id = '" + finished.id()
                + "' and usage_source = 'reported'")).isEqualTo(28);
        assertThat(gateway.journal.stillOpen()).as("the sweep closed every request").isEmpty();
        assertThat(files()).as("all in the database: no journal left").isEmpty();
    }

    @Test
    void withTheDatabaseAwayTheSweptRecordsStayInTheJournalAndTheNextStartWritesThemOnceAsEstimatesNotInterrupted()
            throws Exception {
        Gateway gateway = new Gateway(new UsageWriter(ScratchDatabase.unreachable(), new PriceCatalogCache()));
        Meter waiting = gateway.request();
        Meter streaming = gateway.request();
        gateway.stream(streaming);
        gateway.journal.sync();

        gateway.lifecycle.stop(null);

        assertThat(files()).as("the records wait on disk").isNotEmpty();
        Gateway next = new Gateway(database.writer());
        next.journal.recover();
        next.journal.sync();
        next.recorder.start();
        next.lifecycle.stop(null);
        assertThat(database.ids()).containsExactlyInAnyOrder(waiting.id(), streaming.id());
        assertThat(database.queryLong("select count(*) from usage_record where usage_source = 'estimated'"))
                .as("recorded by the sweep, not made up from the opening entries at the next start").isEqualTo(2);
        assertThat(files()).isEmpty();
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.toList();
        }
    }


    /** Metering as one gateway process has it, on this test's journal directory; its writer started. */
    private final class Gateway {

        final UsageRecorder recorder;
        final UsageJournal journal;
        final MeteringStage stage;
        final MeteringLifecycle lifecycle;

        Gateway(UsageSink store) {
            MeteringSettings config = MeteringSettings.of(100, 10, directory, Duration.ofHours(1), true);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            TokenEstimator estimator = new TokenEstimator();
            ServedModels servedModels = new ServedModels(config);
            recorder = new UsageRecorder(store, new JournalFormat(), new UsageMetrics(registry), config, registry);
            journal = new UsageJournal(config, new JournalFormat(), servedModels, recorder, registry);
            // No Vert.x: at the deadline the event loops are stopping, and the sweep must not need them.
            stage = new MeteringStage(journal, estimator, servedModels, new ShutdownPhase(Duration.ZERO),
                    new ErrorWriter(MAPPER), new UsageTaps(MAPPER), null, registry);
            lifecycle = new MeteringLifecycle(journal, recorder, stage);
            recorder.start();
        }

        /** A request sent to a backend, not answered yet. */
        Meter request() throws IOException {
            Meter meter = new Meter(new Caller("app-sweep", "tenant", "user-" + UUID.randomUUID(), Set.of(), null),
                    journal);
            InboundRequest request = Requests.read("gpt-4o", "chat/completions", CHAT);
            meter.asked(request.deployment(), request.operation().path(), true, request.body(),
                    request.tokens().quickPrompt());
            meter.attempt(new Target(new Backend("sim-1", URI.create("http://127.0.0.1:9"), null,
                    Optional.of("swedencentral"), DeploymentType.GLOBAL, Map.of(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty()), "gpt-4o", 1, 1));
            return meter;
        }

        /** The backend answers: a stream, under way, its usage not come yet. */
        void stream(Meter meter) {
            UsageTap tap = stage.answering(meter, 200, "text/event-stream", "upstream-1", true);
            for (String word : STREAMED.split(" ")) {
                tap.onChunk(Buffer.buffer("data: {\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + word + " \"}}]}\n\n"));
            }
        }
    }
}
