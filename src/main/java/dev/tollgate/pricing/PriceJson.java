package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * A price row in the admin API. In requests {@code id}, {@code source} and {@code meterIds} are ignored; dates are ISO
 * days (UTC midnight) or instants.
 */
public record PriceJson(Long id, String model, String modelVersion, String deploymentType, String region,
                        String currency, BigDecimal inputPer1m, BigDecimal cachedInputPer1m, BigDecimal outputPer1m,
                        String effectiveFrom, String effectiveTo, String source, String meterIds) {

    static PriceJson of(Price price) {
        PriceRow row = price.row();
        return new PriceJson(price.id(), row.model(), row.modelVersion().orElse(null), row.deploymentType().key(),
                row.region().orElse(null), row.currency(), row.inputPer1m(), row.cachedInputPer1m().orElse(null),
                row.outputPer1m(), row.effectiveFrom().toString(), row.effectiveTo().map(Instant::toString).orElse(null),
                row.source(), row.meterIds().orElse(null));
    }

    /** The row this describes; IllegalArgumentException (or a DateTimeException) naming what is wrong. */
    PriceRow toRow() {
        if (model == null || deploymentType == null || currency == null || inputPer1m == null || outputPer1m == null
                || effectiveFrom == null) {
            throw new IllegalArgumentException("model, deploymentType, currency, inputPer1m, outputPer1m and "
                    + "effectiveFrom are required");
        }
        return new PriceRow(model, Optional.ofNullable(modelVersion).filter(v -> !v.isBlank()),
                DeploymentType.parse(deploymentType), Optional.ofNullable(region).filter(r -> !r.isBlank()), currency,
                inputPer1m, Optional.ofNullable(cachedInputPer1m), outputPer1m, PriceFile.instant(effectiveFrom),
                Optional.ofNullable(effectiveTo).filter(t -> !t.isBlank()).map(PriceFile::instant), "admin",
                Optional.empty());
    }
}
