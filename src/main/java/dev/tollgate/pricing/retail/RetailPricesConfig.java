package dev.tollgate.pricing.retail;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Where and what the Retail Prices import reads (see {@code docs/retail-prices.md}). The API is public: no
 * credentials.
 */
@ConfigMapping(prefix = "tollgate.pricing.retail")
public interface RetailPricesConfig {

    /** The default filter: every meter of the Azure OpenAI products, under either name the service has had. */
    String DEFAULT_FILTER = "(serviceName eq 'Foundry Models' or serviceName eq 'Cognitive Services')"
            + " and contains(productName, 'OpenAI')";

    /** The API's origin; {@code /api/retail/prices} is appended. Pages it links to must be on the same host. */
    @WithDefault("https://prices.azure.com")
    String url();

    /** The {@code api-version} query parameter. */
    @WithDefault("2023-01-01-preview")
    String apiVersion();

    /**
     * The OData {@code $filter}. Values are case-sensitive in 2023-01-01-preview. Azure OpenAI meters moved from
     * service "Cognitive Services" to "Foundry Models" (the old name now matches nothing); their products are
     * "Azure OpenAI", "Azure OpenAI GPT5", "Azure OpenAI Reasoning", "Azure OpenAI Embedding" and so on.
     */
    @WithDefault(DEFAULT_FILTER)
    String filter();

    /** The {@code currencyCode} query parameter (ISO 4217); prices in other currencies than USD are estimates. */
    @WithDefault("USD")
    String currencyCode();

    /**
     * An ARM region name ({@code swedencentral}) to import only that region's prices, added to the filter as
     * {@code armRegionName eq '<region>'}; unset, every region.
     */
    Optional<String> region();

    /** How long connecting, and then reading one page, may take. */
    @WithDefault("PT60S")
    Duration timeout();
}
