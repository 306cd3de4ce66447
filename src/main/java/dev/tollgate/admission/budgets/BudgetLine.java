package dev.tollgate.admission.budgets;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tollgate.reporting.CsvCells;

import java.math.BigDecimal;

/**
 * One quota or budget of one subject in its current period, cluster-wide as of the last exchange (≤ one interval).
 *
 * @param measure   {@code tokens} (a quota) or {@code cost} (a budget, in the price catalog's currency)
 * @param spent     tokens settled and reserved; or the exact cost of settled requests plus the in-flight estimate
 * @param inFlight  the part of {@code spent} that is the estimate of requests in flight (cost only, else 0)
 * @param shareUsed spent / limit (1 = all of it), rounded to 4 places
 * @param forecast  what the period will end at if the rest of it runs at the period-to-date average rate
 */
@JsonPropertyOrder({"ruleId", "subjectType", "subject", "period", "periodStart", "periodEnd", "measure",
        "enforcement", "limit", "spent", "inFlight", "remaining", "shareUsed", "forecast"})
public record BudgetLine(String ruleId, String subjectType, String subject, String period, String periodStart,
                         String periodEnd, String measure, String enforcement, BigDecimal limit, BigDecimal spent,
                         BigDecimal inFlight, BigDecimal remaining, BigDecimal shareUsed, BigDecimal forecast) {

    /** The line for a CSV cell by cell: the subject (an app id or a unit's name, anyone's text) spreadsheet-safe. */
    BudgetLine forSpreadsheet() {
        return new BudgetLine(ruleId, subjectType, CsvCells.text(subject), period, periodStart, periodEnd, measure,
                enforcement, limit, spent, inFlight, remaining, shareUsed, forecast);
    }
}
