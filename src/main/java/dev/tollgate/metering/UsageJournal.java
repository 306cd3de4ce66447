package dev.tollgate.metering;

import dev.tollgate.routing.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The durable journal of requests in flight, on local disk: a request sent to a backend is journalled as opened (with
 * its prompt's estimated tokens), and its record when it is made; the record goes on to the writer (and PostgreSQL)
 * only once it is on disk. The request path only queues entries in memory; a thread of the journal's own writes what
 * was queued and forces it to the device every {@link MeteringConfig#journalSyncInterval()} (group commit), so that
 * nothing served exists only in memory for longer than that.
 *
 * <p>A request whose record comes in the same round as its opening is written as the record alone: the opening of a
 * short request costs nothing on disk. Files
 * (segments) are sealed every {@link MeteringConfig#journalSegmentAge()}: the requests still open are written again
 * into the next one (as into the first one after a failed write), so that a sealed segment is deleted as soon as its
 * records are in PostgreSQL. At start, the segments of the run before are replayed (their records written again,
 * idempotently) and each request they opened but never recorded becomes an {@code interrupted} record
 * ({@link JournalRecovery}).
 */
@Singleton
public class UsageJournal {

    private static final Logger LOG = Logger.getLogger(UsageJournal.class);
    private static final String SUFFIX = ".journal";

    private final Path directory;
    private final MeteringConfig config;
    private final JournalFormat format;
    private final ServedModels servedModels;
    private final UsageRecorder recorder;
    /** Openings ({@link Meter}) and records ({@link UsageRecord}) from the request path, in the order they came. */
    private final Queue<Object> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final ScheduledThreadPoolExecutor thread;
    private final String runId = String.format("%013d", System.currentTimeMillis());
    private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));
    private final Counter syncFailures;
    private final Counter interruptedRecovered;
    private final Timer syncs;
    // The journal thread's own state (and, once it has stopped, the shutdown's).
    /** Requests opened and not recorded yet. */
    private final Map<UUID, Meter> open = new HashMap<>();
    /** Requests opened since the last sync: their entries are written if they are still open then. */
    private final List<Meter> opening = new ArrayList<>();
    private final Deque<JournalSegment> sealed = new ArrayDeque<>();
    private final JournalLines lines = new JournalLines(64 * 1024);
    private final List<UsageRecord> batch = new ArrayList<>();
    private JournalSegment current;
    private int segmentNumber;
    private volatile boolean healthy = true;

    public UsageJournal(MeteringConfig config, JournalFormat format, ServedModels servedModels, UsageRecorder recorder,
                        MeterRegistry registry) {
        this.directory = Path.of(config.journalDir());
        this.config = config;
        this.format = format;
        this.servedModels = servedModels;
        this.recorder = recorder;
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread journal = new Thread(runnable, "usage-journal");
            journal.setDaemon(true);
            return journal;
        });
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.syncFailures = registry.counter("tollgate.journal.sync.failures");
        this.interruptedRecovered = registry.counter("tollgate.journal.interrupted.recovered");
        this.syncs = Timer.builder("tollgate.journal.sync").description("One group commit of the journal")
                .register(registry);
        registry.gauge("tollgate.journal.pending", pendingCount);
    }

    /** A request is being sent to a backend (its first attempt). From the request path: never blocks. */
    void opened(Meter meter) {
        if (!config.journalEnabled()) {
            return;
        }
        pending.add(meter);
        pendingCount.incrementAndGet();
    }

    /** A request's record is made. From the request path: never blocks. */
    void recorded(UsageRecord record) {
        if (!config.journalEnabled()) {
            recorder.offer(record, null);
            return;
        }
        pending.add(record);
        pendingCount.incrementAndGet();
    }

    /**
     * Whether a new request may be served: the journal could write at its last sync, and is not so far behind that
     * its memory grows without bound. A request served now that could not be journalled might go unbilled.
     */
    public boolean accepting() {
        return healthy && pendingCount.get() < config.queueCapacity();
    }

    /** Whether the last sync reached the disk. */
    public boolean healthy() {
        return healthy;
    }

    /** Replays the earlier run's segments, then syncs every interval. Called once, at start, before traffic. */
    void start() {
        recover();
        thread.scheduleWithFixedDelay(this::syncSafely, 0, config.journalSyncInterval().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /**
     * Hands the earlier run's segments to the writer for replay, and journals an {@code interrupted} record for each
     * request they opened and never recorded.
     */
    void recover() {
        List<Path> earlier = files();
        if (!earlier.isEmpty()) {
            List<UsageRecord> interrupted = JournalRecovery.interrupted(earlier, format);
            interruptedRecovered.increment(interrupted.size());
            interrupted.forEach(this::recorded);
            for (Path file : earlier) {
                recorder.replayLater(JournalSegment.earlier(file));
            }
            LOG.infof("Journal: replaying %d segments of the last run from %s; %d requests it sent to a backend but "
                    + "never saw end are recorded as interrupted", earlier.size(), directory, interrupted.size());
        }
    }

    private List<Path> files() {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(path -> path.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void syncSafely() {
        try {
            sync();
        } catch (RuntimeException unexpected) {
            LOG.error("Unexpected failure of the usage journal; retrying at the next sync", unexpected);
        }
    }

    /**
     * One group commit: writes what the request path queued, forces it to disk, hands the records on to the writer,
     * seals the segment when it is old enough and deletes sealed segments that are fully stored.
     */
    void sync() {
        long start = System.nanoTime();
        lines.clear();
        batch.clear();
        Object entry;
        int drained = 0;
        while ((entry = pending.poll()) != null) {
            drained++;
            if (entry instanceof Meter meter) {
                open.put(meter.id(), meter);
                opening.add(meter);
            } else {
                UsageRecord record = (UsageRecord) entry;
                open.remove(record.id());
                format.appendRecorded(lines, record);
                batch.add(record);
            }
        }
        pendingCount.addAndGet(-drained);
        if (current == null) {
            // A new segment (the first, or the next after a failed write) holds every request still open.
            open.values().forEach(this::appendOpened);
        } else {
            for (Meter meter : opening) {
                if (open.containsKey(meter.id())) {
                    appendOpened(meter);
                }
            }
        }
        opening.clear();
        if (!lines.isEmpty() || !healthy) {
            // While failing, every round tries again (with nothing to write, whether a file can be opened at all).
            write();
            syncs.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        if (current != null && !current.isEmpty() && current.ageNanos() >= config.journalSegmentAge().toNanos()) {
            rotate();
        }
        deleteStored();
    }

    private void write() {
        try {
            if (current == null) {
                current = new JournalSegment(nextFile());
            }
            current.appendAndSync(lines);
            healthy = true;
            current.handedOver(batch.size());
            for (UsageRecord record : batch) {
                if (!recorder.offer(record, current)) {
                    current.replayFromFile();
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(e);
            // Not on disk: the records still go to the writer, as they would without a journal.
            batch.forEach(record -> recorder.offer(record, null));
            if (current != null) {
                // What it synced before stays until stored; nothing more goes to a file that may end in a torn line.
                retire();
            }
        }
    }

    private void failed(Exception e) {
        healthy = false;
        syncFailures.increment();
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last > TimeUnit.SECONDS.toNanos(1) && lastFailureLog.compareAndSet(last, now)) {
            LOG.errorf("The usage journal cannot write to %s (%s): new requests are refused (503) until it can",
                    directory, e.toString());
        }
    }

    private Path nextFile() throws IOException {
        Files.createDirectories(directory);
        return directory.resolve(runId + "-" + String.format("%08d", segmentNumber++) + SUFFIX);
    }

    /**
     * The opening entry of a request still running at a sync, with its prompt's quick estimate and the model its target
     * is known to serve. Not the model its answer names: the answer's usage tap belongs to the event loop that feeds
     * it, and reading it from this thread raced with that loop (a JSON answer read here half-arrived kept that reading,
     * and its complete answer was then metered as an estimate).
     */
    private void appendOpened(Meter meter) {
        Target target = meter.target();
        String inferred = target == null ? null : servedModels.of(target).orElse(null);
        // The quick count made when the body was read, not the tokenizer's: nearly every request is journalled open, and
        // counting each prompt with the tokenizer would cost more than all the rest of the journal, for an estimate
        // used only after a crash.
        OpenedRequest opened = new OpenedRequest(meter.id(), meter.startedAt(), meter.caller().appId(),
                meter.caller().tenantId(), meter.caller().userId(), meter.deployment(), inferred, inferred != null,
                target == null ? null : target.backend().id(),
                target == null ? null : target.backend().region().orElse(null),
                target == null ? null : target.deploymentType(), meter.operation(), meter.stream(),
                meter.quickPromptTokens());
        format.appendOpened(lines, opened);
    }

    /** Seals the segment; the requests still open are written again at the start of the next one. */
    private void rotate() {
        retire();
        lines.clear();
        batch.clear();
        // Written again, from what each meter keeps.
        open.values().forEach(this::appendOpened);
        if (!lines.isEmpty()) {
            write();
        }
    }

    /** No more lines go to the current segment: sealed, and deleted once its records are stored (or replayed). */
    private void retire() {
        JournalSegment segment = current;
        current = null;
        sealed.add(segment);
        if (segment.needsReplay()) {
            recorder.replayLater(segment);
        }
        try {
            segment.seal();
        } catch (IOException e) {
            LOG.warnf("Could not close journal segment %s: %s", segment, e.getMessage());
        }
    }

    private void deleteStored() {
        for (Iterator<JournalSegment> segments = sealed.iterator(); segments.hasNext(); ) {
            JournalSegment segment = segments.next();
            if (segment.needsReplay()) {
                // The writer replays it from the file, and deletes it.
                segments.remove();
            } else if (segment.fullyStored()) {
                try {
                    segment.delete();
                    segments.remove();
                } catch (IOException e) {
                    LOG.warnf("Could not delete journal segment %s (%s); retrying", segment, e.getMessage());
                }
            }
        }
    }

    /** Stops the journal's thread; what it had not written yet is written by {@link #sync()} on the caller's thread. */
    void stopThread() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The meters of the requests opened and not recorded yet. Only once the thread has stopped. */
    List<Meter> stillOpen() {
        return List.copyOf(open.values());
    }

    /**
     * The last step at shutdown, once the writer has stopped: seals the segment; deletes the segments whose records
     * are all in PostgreSQL; the others stay for the next start.
     */
    void close() {
        if (current != null) {
            retire();
        }
        for (JournalSegment segment : sealed) {
            // The last segment also holds the requests still open, if the shutdown could not record them all.
            if (segment.fullyStored() && (open.isEmpty() || segment != sealed.peekLast())) {
                try {
                    segment.delete();
                } catch (IOException e) {
                    LOG.warnf("Could not delete journal segment %s: %s", segment, e.getMessage());
                }
            }
        }
        List<Path> left = files();
        if (!left.isEmpty()) {
            LOG.infof("Journal: %d segments left in %s, replayed at the next start", left.size(), directory);
        }
    }
}
