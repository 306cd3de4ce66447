package dev.tollgate.pricing.retail;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One page of the Azure Retail Prices API: up to 1000 items and, unless it is the last page, the absolute URL of the
 * next one. The envelope's names are capitalised, unlike the items'.
 *
 * @param nextPageLink null (or empty) on the last page
 * @param count        the number of items on this page
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record RetailPricesPage(
        @JsonProperty("BillingCurrency") String billingCurrency,
        @JsonProperty("CustomerEntityId") String customerEntityId,
        @JsonProperty("CustomerEntityType") String customerEntityType,
        @JsonProperty("Items") List<RetailPriceItem> items,
        @JsonProperty("NextPageLink") String nextPageLink,
        @JsonProperty("Count") Integer count) {
}
