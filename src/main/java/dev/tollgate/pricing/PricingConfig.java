package dev.tollgate.pricing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;

/** The price catalog: its currency and the files loaded into it at start-up ({@code tollgate.pricing.*}). */
@ConfigMapping(prefix = "tollgate.pricing")
public interface PricingConfig {

    /**
     * The one currency of the catalog (ISO 4217). Every price row must be in it, so costs add up without exchange
     * rates; the Retail Prices import asks Azure for this currency.
     */
    @WithDefault("USD")
    String currency();

    /**
     * Price files (CSV, docs/chargeback.md) loaded at start-up: {@code classpath:} or file paths. Rows already in the
     * catalog are skipped, so loading is safe on every start. Default: the sample catalog shipped with Tollgate,
     * whose list prices the operator must verify; {@code none} loads nothing.
     */
    @WithDefault("classpath:pricing/sample-prices.csv")
    List<String> seedFiles();
}
