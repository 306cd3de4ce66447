package dev.tollgate.metering;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** How usage records travel from the request path to PostgreSQL. */
@ConfigMapping(prefix = "tollgate.metering")
public interface MeteringConfig {

    /**
     * Records held in memory between the journal and the database writer. Records that find it full stay in their
     * journal segment on disk and are replayed from there, so it bounds memory during a database outage, not what can
     * be recorded. Also the most journal entries that may wait for a sync: beyond that new requests are refused (503).
     */
    @WithDefault("100000")
    int queueCapacity();

    /**
     * Records written per database round trip (at most: a quiet gateway writes what it has every flush interval). A
     * whole batch waiting is written at once, without waiting for the flush interval.
     */
    @WithDefault("5000")
    int batchSize();

    /**
     * How long a record may wait for a batch to fill before it is written anyway. Each batch costs the database a fixed
     * ~3 ms of CPU besides its records, so a quiet gateway should not write small batches often; a busy one writes each
     * batch as soon as it is whole. Records wait in the journal, on disk, meanwhile.
     */
    @WithDefault("PT1S")
    Duration flushInterval();

    /** Longest pause between retries while the database is failing. */
    @WithDefault("PT5S")
    Duration maxRetryBackoff();

    /**
     * Directory of the journal of requests in flight and their records (docs/operations.md#journal): on a local disk
     * that survives a restart of the process (a volume, not the container's layer), writable, one per replica.
     */
    @WithDefault("usage-journal")
    String journalDir();

    /**
     * How often the journal writes what the request path queued and forces it to disk (group commit): what a SIGKILL
     * or a crash can lose is what arrived within the last interval.
     */
    @WithDefault("PT0.02S")
    Duration journalSyncInterval();

    /**
     * How long a journal file is appended to before the next one starts; a file is deleted once its records are all
     * in PostgreSQL. Each new file costs a few syscalls and syncs and rewrites the requests still open; a longer age
     * keeps more records on disk, which a restart after a crash writes again (idempotently).
     */
    @WithDefault("PT10S")
    Duration journalSegmentAge();

    /**
     * Whether requests and records are journalled at all. Off, a record exists only in memory until PostgreSQL has it
     * (a crash loses the queue and every request in flight): for measurements, not for production.
     */
    @WithDefault("true")
    boolean journalEnabled();

    /**
     * The model each target serves, keyed {@code <backend>/<deployment>}, for pricing an answer cut before it named
     * its model; a target not listed here is priced as the model its latest answer named.
     */
    Map<String, String> servedModels();

    /**
     * How long the writer may take at shutdown, in all: finishing the round it is in, writing what is still queued,
     * then replaying the journal segments waiting for it. Counted after the HTTP drain
     * ({@code quarkus.shutdown.timeout}); what is not written by then stays in the journal.
     */
    @WithDefault("PT15S")
    Duration shutdownTimeout();

    /**
     * At shutdown, once the queue is written, how long the writer may spend replaying journal segments into PostgreSQL
     * (never beyond {@link #shutdownTimeout()}). What is not replayed by then, or not at all because the database is
     * away, stays on disk for the next start. {@code PT0S} leaves them all for the next start.
     */
    @WithDefault("PT10S")
    Duration shutdownReplayTimeout();
}
