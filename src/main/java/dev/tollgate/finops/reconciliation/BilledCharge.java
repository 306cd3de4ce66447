package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * One charge line of an Azure cost export, as Tollgate reads it.
 *
 * @param line           the line of the file it starts on (1 is the header)
 * @param day            its UTC day
 * @param resourceId     the Azure resource id, lower case ('' when the line names none)
 * @param chargeCategory FOCUS's category: Usage, Purchase, Tax, Credit or Adjustment
 * @param meter          the meter's name, as Azure writes it
 * @param quantity       in the meter's unit
 * @param unit           the unit, as written (e.g. {@code 1K}, {@code 1000 Tokens})
 * @param unitSize       how many of the underlying items one unit is (1000 for {@code 1K})
 * @param cost           what Azure billed for it
 */
public record BilledCharge(int line, LocalDate day, String resourceId, String chargeCategory, String meter,
                           BigDecimal quantity, String unit, BigDecimal unitSize, BigDecimal cost) {

    public static final String USAGE = "Usage";

    /** The quantity in tokens (or whatever single items the unit counts). */
    public BigDecimal items() {
        return quantity.multiply(unitSize);
    }

    public boolean usage() {
        return USAGE.equals(chargeCategory);
    }
}
