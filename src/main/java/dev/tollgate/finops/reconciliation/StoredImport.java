package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A kept upload of an Azure cost export.
 *
 * @param lines      charge lines read from it
 * @param billedCost the sum of its lines' costs
 */
public record StoredImport(long id, String format, String fileName, Instant importedAt, String importedBy,
                           String currency, LocalDate firstDay, LocalDate lastDay, int lines, BigDecimal billedCost) {
}
