package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.identity.Caller;
import dev.tollgate.routing.Backend;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.routing.Target;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU the journal adds per request: the same paced stream of requests (opened at their first attempt, then
 * recorded once they have been in flight for a while, as on the request path) with the journal on and off,
 * alternately, in one JVM; the process' CPU time per request, the difference being the journal's cost (its group
 * commits, fsync included, on its own thread). Requests in flight longer than a sync interval are journalled as opened
 * first, as almost every real request is; in flight 0 ms, most are journalled as their record alone. The prompt is
 * bench/chat.lua's, and the tokenizer is loaded once before the rounds, as the gateway does at start. The database sink
 * discards, so that only the journal differs. Run by {@code bench/journal.sh}; prints, asserts nothing.
 */
public final class UsageJournalBenchmark {

    private static final Logger LOG = Logger.getLogger(UsageJournalBenchmark.class);
    /** bench/chat.lua's request. */
    private static final String CHAT = "{\"messages\":[{\"role\":\"system\",\"content\":\"You are a billing support "
            + "assistant for Contoso Cloud. Answer in at most three sentences, be precise about dates and amounts, and "
            + "never invent charges that are not on the invoice. If the question is not about billing, say so "
            + "politely.\"},{\"role\":\"user\",\"content\":\"My March invoice is 38 EUR higher than February even "
            + "though I switched to the cheaper plan on March 10th. Was I charged twice for the same month?\"}],"
            + "\"max_tokens\":64}";
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int inFlightMillis = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        JsonNode request = MAPPER.readTree(CHAT);
        TokenEstimator estimator = new TokenEstimator();
        estimator.warmUp();
        Target target = new Target(new Backend("sim-1", URI.create("http://127.0.0.1:9"), null,
                Optional.of("swedencentral"), DeploymentType.GLOBAL, Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), "gpt-4o", 1, 1);
        Usage usage = new Usage(12, 0, 30, 0, 42, UsageSource.REPORTED);
        double[] on = new double[rounds];
        double[] off = new double[rounds];
        double[] thread = new double[rounds];
        Load load = new Load(rate, inFlightMillis, request, target, usage, estimator);
        // Warm-up, both paths, as long as a round: the JIT compiler's work must be over before anything is measured.
        run(true, seconds, load);
        run(false, seconds, load);
        for (int round = 0; round < rounds; round++) {
            double[] journalled = run(true, seconds, load);
            on[round] = journalled[0];
            thread[round] = journalled[1];
            off[round] = run(false, seconds, load)[0];
            LOG.infof("journal benchmark round %d: on %.2f us/request (the journal's thread %.2f), off %.2f us/request",
                    round + 1, on[round], thread[round], off[round]);
        }
        double addedMedian = median(on) - median(off);
        LOG.infof("journal: %d requests/s in flight %d ms for %d s x %d rounds: CPU per request on %.2f us, off %.2f us "
                + "(medians): the journal adds %.2f us per request; the journal's own thread %.2f us per request "
                + "(median)", rate, inFlightMillis, seconds, rounds, median(on), median(off), addedMedian,
                median(thread));
    }

    /**
     * Process CPU microseconds per request, for {@code seconds} of the load, and those of the journal's thread alone
     * (what the noise of a shared machine barely touches; GC and the request path's queueing not included).
     */
    private static double[] run(boolean journalOn, int seconds, Load load) throws Exception {
        Path directory = Files.createTempDirectory(Path.of("target"), "journal-bench");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeteringSettings config = MeteringSettings.of(100_000, 5000, directory, Duration.ofSeconds(1), journalOn);
        UsageRecorder recorder = new UsageRecorder(records -> { }, new JournalFormat(), new UsageMetrics(registry),
                config, registry);
        UsageJournal journal = new UsageJournal(config, new JournalFormat(), load.estimator(),
                new ServedModels(config), recorder, registry);
        recorder.start();
        journal.start();
        Caller caller = new Caller("app-bench", "tenant", null, Set.of(), null);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long requests = (long) load.rate() * seconds;
        long interval = 1_000_000_000L / load.rate();
        // The requests in flight, oldest first: each is recorded once it has been in flight for the time asked.
        int inFlight = Math.max(1, (int) ((long) load.rate() * load.inFlightMillis() / 1000));
        Meter[] flying = new Meter[inFlight];
        long cpuStart = os.getProcessCpuTime();
        long threadCpuStart = journalThreadCpu();
        long start = System.nanoTime();
        for (long i = 0; i < requests; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Meter meter = new Meter(caller, journal);
            meter.asked("gpt-4o", "chat/completions", false, load.request());
            meter.attempt(load.target());
            int slot = (int) (i % inFlight);
            if (flying[slot] != null) {
                journal.recorded(flying[slot].finish(200, load.usage(), "gpt-4o-2024-08-06"));
            }
            flying[slot] = meter;
        }
        for (Meter meter : flying) {
            if (meter != null) {
                journal.recorded(meter.finish(200, load.usage(), "gpt-4o-2024-08-06"));
            }
        }
        LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // the last group commit and write
        long cpu = os.getProcessCpuTime() - cpuStart;
        long threadCpu = journalThreadCpu() - threadCpuStart;
        journal.stopThread();
        journal.sync();
        recorder.stop();
        journal.close();
        return new double[] {cpu / 1000.0 / requests, threadCpu / 1000.0 / requests};
    }

    /** CPU nanoseconds of the journal's thread so far (one journal runs at a time). */
    private static long journalThreadCpu() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("usage-journal"))
                .mapToLong(thread -> ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId())).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** What every round sends: {@code rate} requests per second, each in flight for {@code inFlightMillis}. */
    private record Load(int rate, int inFlightMillis, JsonNode request, Target target, Usage usage,
                        TokenEstimator estimator) {
    }
}
