package dev.tollgate.finops.reconciliation;

import java.time.LocalDate;
import java.util.List;

/**
 * An uploaded Azure cost export, read in full.
 *
 * @param format   {@code focus} or {@code actual-cost}
 * @param currency the billing currency of every line
 * @param charges  every line, in file order
 */
public record CostExport(String format, String currency, List<BilledCharge> charges) {

    LocalDate firstDay() {
        return charges.stream().map(BilledCharge::day).min(LocalDate::compareTo).orElseThrow();
    }

    LocalDate lastDay() {
        return charges.stream().map(BilledCharge::day).max(LocalDate::compareTo).orElseThrow();
    }
}
