package dev.tollgate.pricing.retail;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.math.BigDecimal;

/**
 * One item of an Azure Retail Prices API page, with the fields the import reads (the API sends more, such as
 * productId, skuId, serviceId, serviceFamily, armSkuName, savingsPlan). Prices are read as {@link BigDecimal} from
 * the JSON text, so no binary rounding ever touches them.
 *
 * @param type               {@code Consumption}, {@code DevTestConsumption} or {@code Reservation}
 * @param unitOfMeasure      e.g. {@code 1K} or {@code 1M} for token meters, {@code 1 Hour} for provisioned ones
 * @param effectiveStartDate ISO-8601, e.g. {@code 2024-08-01T00:00:00Z}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetailPriceItem(
        @JsonProperty("currencyCode") String currencyCode,
        @JsonProperty("tierMinimumUnits") BigDecimal tierMinimumUnits,
        @JsonProperty("retailPrice") BigDecimal retailPrice,
        @JsonProperty("unitPrice") BigDecimal unitPrice,
        @JsonProperty("armRegionName") String armRegionName,
        @JsonProperty("location") String location,
        @JsonProperty("effectiveStartDate") String effectiveStartDate,
        @JsonProperty("meterId") String meterId,
        @JsonProperty("meterName") String meterName,
        @JsonProperty("productName") String productName,
        @JsonProperty("skuName") String skuName,
        @JsonProperty("serviceName") String serviceName,
        @JsonProperty("unitOfMeasure") String unitOfMeasure,
        @JsonProperty("type") String type,
        @JsonProperty("isPrimaryMeterRegion") Boolean isPrimaryMeterRegion) {
}
