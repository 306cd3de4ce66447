package dev.tollgate.metering;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How usage records travel from the request path to PostgreSQL. */
@ConfigMapping(prefix = "tollgate.metering")
public interface MeteringConfig {

    /** Records held in memory between the request path and the database writer. */
    @WithDefault("100000")
    int queueCapacity();

    /** Records written per database round trip. */
    @WithDefault("1000")
    int batchSize();

    /** How long a record may wait for a batch to fill before it is written anyway. */
    @WithDefault("PT0.1S")
    Duration flushInterval();

    /** Longest pause between retries while the database is failing. */
    @WithDefault("PT5S")
    Duration maxRetryBackoff();

    /** How long shutdown waits for queued records to be written. */
    @WithDefault("PT15S")
    Duration shutdownTimeout();
}
