package dev.tollgate.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/**
 * Settings of the simulated Azure OpenAI backends. Everything is off unless {@code tollgate.simulator.enabled=true},
 * so a production deployment never opens the loopback ports by accident.
 */
@ConfigMapping(prefix = "tollgate.simulator")
public interface SimulatorConfig {

    /** Whether the simulated backends are started with the application (intended for dev mode and tests). */
    @WithDefault("false")
    boolean enabled();

    /** Interface the simulated backends bind to; loopback keeps them invisible from the network. */
    @WithDefault("127.0.0.1")
    String host();

    /** One simulated backend per port, named sim-1, sim-2, ... in this order; 0 picks a free port. */
    @WithDefault("18081,18082,18083")
    List<Integer> ports();

    /** Azure region reported by each backend in {@code x-ms-region}; region i goes to port i, cycled if shorter. */
    @WithDefault("swedencentral,eastus2,francecentral")
    List<String> regions();

    /** Value the {@code api-key} header must carry; anything else is answered with 401 like Azure does. */
    @WithDefault("sim-key")
    String apiKey();

    /** Time before the first byte of a successful answer, to mimic model latency. */
    @WithDefault("20ms")
    Duration firstByteDelay();

    /** Pause between two server-sent events of a streamed answer, so streaming is observable chunk by chunk. */
    @WithDefault("10ms")
    Duration chunkDelay();

    /** Token-per-minute budget of each backend (fixed one-minute window); 0 means unlimited. */
    @WithDefault("0")
    long tokensPerMinute();
}
