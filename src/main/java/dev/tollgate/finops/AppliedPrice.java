package dev.tollgate.finops;

import dev.tollgate.pricing.retail.MeterNames.Component;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The catalog row that priced some usage, as far as a charge needs it.
 *
 * @param id               its id in the catalog ({@code usage_record.price_id})
 * @param modelVersion     empty: every version
 * @param region           empty: every region
 * @param cachedInputPer1m empty: cached input at the input price
 */
public record AppliedPrice(long id, String model, Optional<String> modelVersion, String deploymentType,
                           Optional<String> region, String currency, BigDecimal inputPer1m,
                           Optional<BigDecimal> cachedInputPer1m, BigDecimal outputPer1m) {

    /** The price per 1M tokens of that class, as CostCalculator applies it. */
    public BigDecimal per1m(Component tokenClass) {
        return switch (tokenClass) {
            case INPUT -> inputPer1m;
            case CACHED_INPUT -> cachedInputPer1m.orElse(inputPer1m);
            case OUTPUT -> outputPer1m;
        };
    }

    /** What the row is for, as an operator finds it in the catalog: "gpt-4o 2024-08-06 global, any region". */
    public String describe() {
        return model + " " + modelVersion.orElse("(every version)") + " " + deploymentType + ", "
                + region.orElse("any region");
    }
}
