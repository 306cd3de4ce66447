package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.identity.Caller;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.routing.Backend;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.routing.Target;
import dev.tollgate.support.Requests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The CPU the journal adds per request: the same paced stream of requests (opened at their first attempt, then
 * recorded once they have been in flight for a while, as on the request path) with the journal on and off, in one JVM;
 * the process' CPU time per request, the difference being the journal's cost (its group commits, fsync included, on
 * its own thread, and the queueing and garbage it adds to the request path). Each round measures both, in alternating
 * order, and the headline is the median of the rounds' differences with their spread: on a shared machine a round's
 * two runs see about the same neighbours, successive rounds often do not. Requests in flight longer than a sync
 * interval are journalled as opened first, as almost every real request is; in flight 0 ms, most are journalled as
 * their record alone. The prompt is bench/chat.lua's, and the tokenizer is loaded once before the rounds, as the
 * gateway does at start. The database sink discards, so that only the journal differs. Run by {@code bench/journal.sh}
 * (a fixed, pre-touched heap: a long-running gateway does not fault its heap in); prints, asserts nothing.
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
    private static final String JIT = "JIT compiler";
    /** The driver's pace: it sends the requests due once per millisecond. */
    private static final long TICK_NANOS = 1_000_000;
    /** The journal's files as the gateway rotates them by default ({@link MeteringConfig#journalSegmentAge()}). */
    private static final Duration SEGMENT_AGE = Duration.ofSeconds(10);
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int inFlightMillis = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        InboundRequest request = Requests.read("gpt-4o", "chat/completions", CHAT);
        Target target = new Target(new Backend("sim-1", URI.create("http://127.0.0.1:9"), null,
                Optional.of("swedencentral"), DeploymentType.GLOBAL, Map.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()), "gpt-4o", 1, 1);
        Usage usage = new Usage(12, 0, 30, 0, 42, UsageSource.REPORTED);
        Load load = new Load(rate, inFlightMillis, request, target, usage);
        // Warm-up, both paths, as long as a round: the JIT compiler's work must be over before anything is measured.
        run(true, seconds, load);
        run(false, seconds, load);
        double[] added = new double[rounds];
        double[] addedWithJit = new double[rounds];
        double[] thread = new double[rounds];
        double[] on = new double[rounds];
        double[] off = new double[rounds];
        Map<String, double[]> addedByGroup = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            // Each round is a pair, in alternating order, so that a drift of the machine's load weighs on both sides.
            boolean onFirst = round % 2 == 0;
            Cpu first = run(onFirst, seconds, load);
            Cpu second = run(!onFirst, seconds, load);
            Cpu journalled = onFirst ? first : second;
            Cpu plain = onFirst ? second : first;
            on[round] = journalled.withoutJit();
            off[round] = plain.withoutJit();
            added[round] = on[round] - off[round];
            addedWithJit[round] = journalled.process() - plain.process();
            thread[round] = journalled.journalThread();
            for (String group : journalled.byGroup().keySet()) {
                addedByGroup.computeIfAbsent(group, name -> new double[rounds])[round] =
                        journalled.byGroup().get(group) - plain.byGroup().getOrDefault(group, 0.0);
            }
            LOG.infof("journal benchmark round %d (%s first): on %.2f us/request (the journal's thread %.2f), off %.2f "
                    + "us/request: adds %.2f (%.2f with the JIT compiler's threads)", round + 1,
                    onFirst ? "on" : "off", on[round], thread[round], off[round], added[round], addedWithJit[round]);
        }
        LOG.infof("journal: %d requests/s in flight %d ms for %d s x %d rounds: the journal adds %.2f us per request "
                + "(median of the rounds' on - off; rounds %.2f to %.2f; with the JIT compiler's threads %.2f, rounds "
                + "%.2f to %.2f); the journal's own thread %.2f us per request (median; %.2f to %.2f); CPU per request "
                + "on %.2f us, off %.2f us (medians)", rate, inFlightMillis, seconds, rounds, median(added), min(added),
                max(added), median(addedWithJit), min(addedWithJit), max(addedWithJit), median(thread), min(thread),
                max(thread), median(on), median(off));
        StringBuilder groups = new StringBuilder();
        addedByGroup.forEach((group, values) -> groups.append(String.format(" %s %.2f;", group, median(values))));
        LOG.infof("journal: where it adds, per thread (median us per request):%s", groups);
    }

    /** One run of {@code seconds} of the load, with the journal on or off: the CPU it took per request. */
    private static Cpu run(boolean journalOn, int seconds, Load load) throws Exception {
        Path directory = Files.createTempDirectory(Path.of("target"), "journal-bench");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MeteringSettings config = MeteringSettings.of(100_000, 5000, directory, SEGMENT_AGE, journalOn);
        UsageRecorder recorder = new UsageRecorder(records -> { }, new JournalFormat(), new UsageMetrics(registry),
                config, registry);
        UsageJournal journal = new UsageJournal(config, new JournalFormat(), new ServedModels(config), recorder,
                registry);
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
        Map<String, Long> threadsStart = threadCpu();
        long journalStart = journalThreadCpu();
        long start = System.nanoTime();
        long i = 0;
        while (i < requests) {
            // Wakes once per tick and sends the requests due by then: parking for every request would cost the driver
            // more CPU than the journal, and its noise would drown the difference measured.
            long wakeAt = start + (i * interval + TICK_NANOS - 1) / TICK_NANOS * TICK_NANOS;
            long wait = wakeAt - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long now = System.nanoTime();
            do {
                Meter meter = new Meter(caller, journal);
                meter.asked("gpt-4o", "chat/completions", false, load.request().body(),
                        load.request().tokens().quickPrompt());
                meter.attempt(load.target());
                int slot = (int) (i % inFlight);
                if (flying[slot] != null) {
                    journal.recorded(flying[slot].finish(200, load.usage(), "gpt-4o-2024-08-06"));
                }
                flying[slot] = meter;
                i++;
            } while (i < requests && start + i * interval <= now);
        }
        for (Meter meter : flying) {
            if (meter != null) {
                journal.recorded(meter.finish(200, load.usage(), "gpt-4o-2024-08-06"));
            }
        }
        LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // the last group commit and write
        long process = os.getProcessCpuTime() - cpuStart;
        Map<String, Long> threadsEnd = threadCpu();
        long journalThread = journalThreadCpu() - journalStart;
        journal.stopThread();
        journal.sync();
        recorder.stop();
        journal.close();
        Map<String, Double> byGroup = new TreeMap<>();
        threadsEnd.forEach((thread, cpu) -> byGroup.merge(group(thread),
                (cpu - threadsStart.getOrDefault(thread, 0L)) / 1000.0 / requests, Double::sum));
        double withoutJit = byGroup.entrySet().stream().filter(group -> !group.getKey().equals(JIT))
                .mapToDouble(Map.Entry::getValue).sum();
        return new Cpu(process / 1000.0 / requests, withoutJit, journalThread / 1000.0 / requests, byGroup);
    }

    /**
     * CPU nanoseconds of each thread of the process so far, keyed by "thread id name" (Linux' scheduler statistics:
     * the JVM's own threads too, GC included, which the management beans do not show).
     */
    private static Map<String, Long> threadCpu() throws IOException {
        Map<String, Long> cpu = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    String schedstat = Files.readString(task.resolve("schedstat"));
                    cpu.put(task.getFileName() + " " + name, Long.parseLong(schedstat.substring(0,
                            schedstat.indexOf(' '))));
                } catch (NoSuchFileException ended) {
                    // The thread ended meanwhile.
                }
            }
        }
        return cpu;
    }

    /** The group a thread ("id name") counts in: the request path (this benchmark's main thread), GC, JIT, ... */
    private static String group(String thread) {
        String name = thread.substring(thread.indexOf(' ') + 1);
        if (name.contains("CompilerThre")) {
            return JIT;
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ")) {
            return "GC";
        }
        return switch (name) {
            case "java" -> "request path";
            case "usage-journal" -> "journal thread";
            case "usage-writer" -> "writer thread";
            default -> "other";
        };
    }

    /** CPU nanoseconds of the journal's thread so far (one journal runs at a time). */
    private static long journalThreadCpu() {
        return Thread.getAllStackTraces().keySet().stream().filter(thread -> thread.getName().equals("usage-journal"))
                .mapToLong(thread -> ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId())).sum();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * CPU microseconds per request: the whole process'; without the JIT compiler's threads (the headline: after the
     * warm-up they only compile again what switching between journal on and off deoptimised, which a gateway never
     * does, and a single compilation weighs microseconds per request on a round); the journal's thread alone.
     */
    private record Cpu(double process, double withoutJit, double journalThread, Map<String, Double> byGroup) {
    }

    /** What every round sends: {@code rate} requests per second, each in flight for {@code inFlightMillis}. */
    private record Load(int rate, int inFlightMillis, InboundRequest request, Target target, Usage usage) {
    }
}
