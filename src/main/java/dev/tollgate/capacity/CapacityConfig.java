package dev.tollgate.capacity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Provisioned throughput ({@code tollgate.capacity.*}): capacity files, the idle owner, weights, the allocation loop. */
@ConfigMapping(prefix = "tollgate.capacity")
public interface CapacityConfig {

    /** Capacity files (CSV, docs/chargeback.md) loaded at start-up: {@code classpath:} or file paths; none by default. */
    @WithDefault("none")
    List<String> seedFiles();

    /** Who is charged a row's idle capacity when the row names no one (e.g. the platform team's cost center). */
    @WithDefault("platform")
    String idleOwner();

    /** How often the background allocation runs: the hours completed since, and hours that received late records. */
    @WithDefault("PT5M")
    Duration allocateEvery();

    /** Utilisation weights and throughput per model family, e.g. {@code tollgate.capacity.models.gpt-4o.output-weight}. */
    Map<String, ModelWeights> models();

    /** Weights of the families not listed in {@link #models()}. */
    ModelWeights defaultWeights();

    /**
     * How a family's tokens count against a PTU deployment's capacity, as Azure counts them: weighted tokens =
     * input-weight × uncached input + cached-input-weight × cached input + output-weight × output.
     */
    interface ModelWeights {
        @WithDefault("1")
        BigDecimal inputWeight();

        /** Azure deducts cached tokens 100 % from provisioned utilisation. */
        @WithDefault("0")
        BigDecimal cachedInputWeight();

        @WithDefault("4")
        BigDecimal outputWeight();

        /** Input tokens per minute one PTU serves at full utilisation; the {@code utilization} policy needs it. */
        Optional<Long> inputTokensPerMinutePerPtu();
    }
}
