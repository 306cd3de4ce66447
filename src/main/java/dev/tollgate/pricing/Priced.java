package dev.tollgate.pricing;

import java.math.BigDecimal;

/**
 * What a record costs and which price row said so.
 *
 * @param priceId the applied price row, null if none was in force
 * @param cost    null when the record has tokens but no price was in force (unpriced: never a silent zero)
 */
public record Priced(Long priceId, BigDecimal cost) {

    static final Priced UNPRICED = new Priced(null, null);
    static final Priced NOTHING_TO_PRICE = new Priced(null, BigDecimal.ZERO);
    /** Served by provisioned capacity: no per-token price; the hour's cost is allocated (dev.tollgate.capacity). */
    static final Priced PROVISIONED = new Priced(null, BigDecimal.ZERO);

    public boolean unpriced() {
        return cost == null;
    }
}
