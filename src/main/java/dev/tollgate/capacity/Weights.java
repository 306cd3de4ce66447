package dev.tollgate.capacity;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * How one model family's tokens count against provisioned capacity, and how many such tokens one PTU serves in an
 * hour at full utilisation (empty when not configured). Defaults in application.properties follow Azure's PTU
 * documentation (docs/chargeback.md#utilisation-weights).
 */
public record Weights(BigDecimal input, BigDecimal cachedInput, BigDecimal output, Optional<Long> tokensPerMinutePerPtu) {

    static Weights of(CapacityConfig config, String family) {
        CapacityConfig.ModelWeights weights = config.models().getOrDefault(family, config.defaultWeights());
        return new Weights(weights.inputWeight(), weights.cachedInputWeight(), weights.outputWeight(),
                weights.inputTokensPerMinutePerPtu());
    }

    /** The weighted tokens of input (cached included), cached input and output token counts. */
    public BigDecimal weigh(long inputTokens, long cachedInputTokens, long outputTokens) {
        long cached = Math.min(cachedInputTokens, inputTokens);
        return input.multiply(BigDecimal.valueOf(inputTokens - cached))
                .add(cachedInput.multiply(BigDecimal.valueOf(cached)))
                .add(output.multiply(BigDecimal.valueOf(outputTokens)));
    }

    /** The weighted tokens {@code ptu} PTUs serve in an hour at full utilisation, if the family's throughput is known. */
    public Optional<BigDecimal> hourlyCapacity(int ptu) {
        return tokensPerMinutePerPtu.map(tpm -> BigDecimal.valueOf(tpm).multiply(BigDecimal.valueOf(60L * ptu)));
    }
}
