package dev.tollgate.metering;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How usage records travel from the request path to PostgreSQL. */
@ConfigMapping(prefix = "tollgate.metering")
public interface MeteringConfig {

    /**
     * Records held in memory between the request path and the database writer. When it is 99% full the gateway
     * refuses new requests (503) rather than serve requests it could not record; keep it well above the number of
     * requests in flight at once.
     */
    @WithDefault("100000")
    int queueCapacity();

    /** Records written per database round trip (at most: a quiet gateway writes what it has every flush interval). */
    @WithDefault("5000")
    int batchSize();

    /** How long a record may wait for a batch to fill before it is written anyway. */
    @WithDefault("PT0.1S")
    Duration flushInterval();

    /** Longest pause between retries while the database is failing. */
    @WithDefault("PT5S")
    Duration maxRetryBackoff();

    /**
     * Where records wait on disk while PostgreSQL is away longer than the queue can hold them (and at shutdown, if it
     * is away then): replayed once it is back. Must be writable and should survive a restart of the process.
     */
    @WithDefault("usage-spool")
    String spoolDir();

    /**
     * How long the writer may take at shutdown, in all: finishing the round it is in, writing what is still queued,
     * then replaying the disk spool. Counted after the HTTP drain ({@code quarkus.shutdown.timeout}).
     */
    @WithDefault("PT15S")
    Duration shutdownTimeout();

    /**
     * At shutdown, once the queue is written, how long the writer may spend replaying the disk spool into PostgreSQL
     * (never beyond {@link #shutdownTimeout()}). What is not replayed by then, or not at all because the database is
     * away, stays on disk for the next start. {@code PT0S} leaves the whole spool for the next start.
     */
    @WithDefault("PT10S")
    Duration shutdownReplayTimeout();
}
