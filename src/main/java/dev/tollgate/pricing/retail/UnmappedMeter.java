package dev.tollgate.pricing.retail;

/**
 * A meter the import made no price row from, and why.
 *
 * @param region  the item's {@code armRegionName} (empty for the API's "Global" pseudo-region)
 * @param ignored true for meters that are deliberately not token prices for the catalog (batch, provisioned,
 *                fine-tuning, image, audio, other price types, non-token units); false for meters that look like
 *                token prices but could not be mapped, which deserve a look
 */
public record UnmappedMeter(String meterId, String meterName, String productName, String region, String reason,
                            boolean ignored) {

    static UnmappedMeter ignored(RetailPriceItem item, String reason) {
        return of(item, reason, true);
    }

    static UnmappedMeter unrecognised(RetailPriceItem item, String reason) {
        return of(item, reason, false);
    }

    private static UnmappedMeter of(RetailPriceItem item, String reason, boolean ignored) {
        return new UnmappedMeter(nullToEmpty(item.meterId()), nullToEmpty(item.meterName()),
                nullToEmpty(item.productName()), nullToEmpty(item.armRegionName()), reason, ignored);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
