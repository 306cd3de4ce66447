package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the price catalog, as loaded from a file, the admin API or the Azure Retail Prices API, before it has an
 * id. Prices are per 1M tokens.
 *
 * @param model            the model family, e.g. {@code gpt-4o} (see {@link ModelName})
 * @param modelVersion     e.g. {@code 2024-08-06}; empty: every version of the family
 * @param region           an Azure region name as in ARM ({@code swedencentral}); empty: every region
 * @param cachedInputPer1m empty: cached input is priced as input
 * @param effectiveTo      empty: until a later row takes over
 * @param source           where the row came from, e.g. {@code file:prices.csv}, {@code admin}, {@code retail-prices-api}
 * @param meterIds         the Azure meter ids it was built from, comma-separated, if imported
 */
public record PriceRow(String model, Optional<String> modelVersion, DeploymentType deploymentType,
                       Optional<String> region, String currency, BigDecimal inputPer1m,
                       Optional<BigDecimal> cachedInputPer1m, BigDecimal outputPer1m, Instant effectiveFrom,
                       Optional<Instant> effectiveTo, String source, Optional<String> meterIds) {

    public PriceRow {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deploymentType, "deploymentType");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(inputPer1m, "inputPer1m");
        Objects.requireNonNull(outputPer1m, "outputPer1m");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(source, "source");
        // Matched against served model names and ARM region names, which are lower case.
        model = model.trim().toLowerCase(Locale.ROOT);
        modelVersion = modelVersion.map(v -> v.trim().toLowerCase(Locale.ROOT));
        region = region.map(r -> r.trim().toLowerCase(Locale.ROOT));
        if (model.isEmpty()) {
            throw new IllegalArgumentException("A price needs a model");
        }
        if (deploymentType.provisioned()) {
            throw new IllegalArgumentException("Provisioned deployments have no per-token price; their capacity is "
                    + "declared in the capacity catalog (" + model + ")");
        }
        if (inputPer1m.signum() < 0 || outputPer1m.signum() < 0 || cachedInputPer1m.map(p -> p.signum() < 0).orElse(false)) {
            throw new IllegalArgumentException("Prices cannot be negative (" + model + ")");
        }
        if (effectiveTo.map(to -> !to.isAfter(effectiveFrom)).orElse(false)) {
            throw new IllegalArgumentException("effective_to must be after effective_from (" + model + ")");
        }
    }
}
