package dev.tollgate.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * The configured behaviour a {@link SimulatedBackend} starts with and returns to on {@link SimulatedBackend#reset()}.
 * A plain record so tests can build a backend without CDI or a config source.
 *
 * @param apiKey          value the {@code api-key} header must carry
 * @param firstByteDelay  time before the first byte of a successful answer
 * @param chunkDelay      pause between two server-sent events
 * @param tokensPerMinute token budget per one-minute window, 0 = unlimited
 */
public record BackendDefaults(String apiKey, Duration firstByteDelay, Duration chunkDelay, long tokensPerMinute) {

    public BackendDefaults {
        Objects.requireNonNull(apiKey, "apiKey");
        requireNonNegative(firstByteDelay, "firstByteDelay");
        requireNonNegative(chunkDelay, "chunkDelay");
        if (tokensPerMinute < 0) {
            throw new IllegalArgumentException("tokensPerMinute must be >= 0, was " + tokensPerMinute);
        }
    }

    /** The same values as the defaults of {@link SimulatorConfig}. */
    public static BackendDefaults standard() {
        return new BackendDefaults("sim-key", Duration.ofMillis(20), Duration.ofMillis(10), 0);
    }

    /** Zero delays: what most unit tests want, so they run as fast as the wire allows. */
    public static BackendDefaults fast() {
        return new BackendDefaults("sim-key", Duration.ZERO, Duration.ZERO, 0);
    }

    public static BackendDefaults from(SimulatorConfig config) {
        return new BackendDefaults(config.apiKey(), config.firstByteDelay(), config.chunkDelay(), config.tokensPerMinute());
    }

    public BackendDefaults withApiKey(String value) {
        return new BackendDefaults(value, firstByteDelay, chunkDelay, tokensPerMinute);
    }

    public BackendDefaults withFirstByteDelay(Duration value) {
        return new BackendDefaults(apiKey, value, chunkDelay, tokensPerMinute);
    }

    public BackendDefaults withChunkDelay(Duration value) {
        return new BackendDefaults(apiKey, firstByteDelay, value, tokensPerMinute);
    }

    public BackendDefaults withTokensPerMinute(long value) {
        return new BackendDefaults(apiKey, firstByteDelay, chunkDelay, value);
    }

    static Duration requireNonNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }
}
