package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * A month of the Azure bill beside what Tollgate metered: per resource, UTC day and meter (model, deployment type and
 * token class), with a summary. Quantities are tokens; costs are in {@code currency}.
 *
 * @param month  {@code YYYY-MM}
 * @param source the upload the bill's lines come from
 */
public record Reconciliation(String month, String currency, StoredImport source, Tolerance tolerance,
                             Summary summary, List<Row> rows) {

    /** When quantities and costs count as equal: shares of the larger of the two. */
    public record Tolerance(BigDecimal quantity, BigDecimal cost) {
    }

    /**
     * @param billedCost                  every line of the month in the upload (usage, purchases, taxes…)
     * @param usageCost                   its usage lines
     * @param accountedCost               what Azure charged for the tokens that passed through Tollgate
     * @param accountedShare              {@code accountedCost / billedCost}: the share of the bill Tollgate accounts
     *                                    for (null for an empty bill)
     * @param unmeteredCost               what Azure charged for usage beyond Tollgate's, on its resources
     * @param unknownResourceCost         what Azure charged on resources no backend is configured with
     * @param priceDifference             Azure's cost minus Tollgate's over the price mismatches
     * @param tollgateCost                what Tollgate charged back for the month (all backends)
     * @param tollgateCostWithoutResource the part of it on backends without a resource id, which no bill line can
     *                                    match
     * @param rows                        rows per classification
     */
    public record Summary(BigDecimal billedCost, BigDecimal usageCost, BigDecimal accountedCost,
                          BigDecimal accountedShare, BigDecimal unmeteredCost, BigDecimal unknownResourceCost,
                          BigDecimal priceDifference, BigDecimal tollgateCost, BigDecimal tollgateCostWithoutResource,
                          long tollgateTokensWithoutResource, Map<String, Long> rows) {
    }

    /**
     * @param meter              Azure's meter names for the line, or Tollgate's description when Azure has none
     * @param model              the model family (null for a meter Tollgate does not read)
     * @param azureQuantity      tokens Azure billed
     * @param tollgateQuantity   tokens Tollgate metered
     * @param quantityDifference Azure's minus Tollgate's
     * @param costDifference     Azure's minus Tollgate's
     * @param azureUnitPrice     Azure's cost per 1M tokens, derived (rounded to 6 places)
     * @param tollgateUnitPrice  the catalog's price per 1M tokens, when one row priced them all
     * @param priceIds           the catalog rows that priced Tollgate's tokens
     * @param note               why the line is classified so, and what to do about it
     */
    public record Row(String resourceId, LocalDate day, String meter, String model, String modelVersion,
                      String deploymentType, String tokenClass, BigDecimal azureQuantity, BigDecimal azureCost,
                      long tollgateQuantity, BigDecimal tollgateCost, BigDecimal quantityDifference,
                      BigDecimal costDifference, BigDecimal azureUnitPrice, BigDecimal tollgateUnitPrice,
                      List<Long> priceIds, Classification classification, String note) {
    }
}
