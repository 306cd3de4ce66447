package dev.tollgate.metering;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Metering settings as the configuration would give them, for tests and benchmarks that build the recorder and the
 * journal by hand: each component is the {@link MeteringConfig} setting of the same name.
 */
record MeteringSettings(int queueCapacity, int batchSize, Duration flushInterval, Duration maxRetryBackoff,
                        String journalDir, Duration journalSyncInterval, Duration journalSegmentAge,
                        boolean journalEnabled, Map<String, String> servedModels, Duration shutdownTimeout,
                        Duration shutdownReplayTimeout) implements MeteringConfig {

    /** The given queue, batch and journal, every other setting at a value that suits a test. */
    static MeteringSettings of(int queueCapacity, int batchSize, Path journal, Duration segmentAge, boolean journalOn) {
        return new MeteringSettings(queueCapacity, batchSize, Duration.ofMillis(100), Duration.ofMillis(100),
                journal.toString(), Duration.ofMillis(20), segmentAge, journalOn, Map.of(), Duration.ofSeconds(10),
                Duration.ofSeconds(10));
    }
}
