package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cost Management's classic "actual cost" CSV (EA and MCA column names): {@code date} (MM/dd/yyyy, or ISO), the
 * resource from {@code ResourceId}, {@code meterName}, {@code quantity} in {@code unitOfMeasure}, the cost from
 * {@code costInBillingCurrency} in {@code billingCurrency}; {@code chargeType} (Usage when absent) gives the
 * category, as FOCUS names it.
 */
final class ActualCostExport implements CostExportFormat {

    private static final DateTimeFormatter US_DATE = DateTimeFormatter.ofPattern("MM/dd/uuuu", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final String[] DATE = {"date", "UsageDate"};
    private static final String[] RESOURCE = {"ResourceId", "InstanceId"};
    private static final String[] COST = {"costInBillingCurrency", "Cost", "PreTaxCost"};
    private static final String[] CURRENCY = {"billingCurrency", "billingCurrencyCode", "Currency"};
    /** chargeType values as FOCUS categories: refunds and corrections stay with what they correct. */
    private static final Map<String, String> CATEGORIES = Map.of("usage", "Usage", "purchase", "Purchase",
            "refund", "Purchase", "tax", "Tax", "credit", "Credit", "adjustment", "Adjustment",
            "unusedreservation", "Purchase", "unusedsavingsplan", "Purchase", "roundingadjustment", "Adjustment");

    @Override
    public String name() {
        return "actual-cost";
    }

    @Override
    public List<List<String>> requiredColumns() {
        return List.of(lower(DATE), lower(RESOURCE), List.of("metername"), List.of("quantity"),
                List.of("unitofmeasure"), lower(COST), lower(CURRENCY));
    }

    @Override
    public CsvLine.Cell currency(CsvLine line) throws InvalidCostExportException {
        return line.cell(CURRENCY);
    }

    @Override
    public BilledCharge read(CsvLine line) throws InvalidCostExportException {
        String type = line.first("chargeType").map(CsvLine.Cell::value).orElse("Usage");
        String category = CATEGORIES.get(type.toLowerCase(Locale.ROOT));
        if (category == null) {
            throw line.error("chargeType", "'" + type + "' is not a charge type Tollgate knows");
        }
        String unit = line.text("unitOfMeasure");
        BigDecimal size = Units.size(unit).orElseThrow(() -> line.error("unitOfMeasure", "'" + unit
                + "' is not a unit"));
        String resource = line.first(RESOURCE).map(CsvLine.Cell::value).orElse("");
        return new BilledCharge(line.number(), day(line), resource.toLowerCase(Locale.ROOT), category,
                line.text("meterName"), line.decimal("quantity"), unit, size, line.decimal(COST));
    }

    private static LocalDate day(CsvLine line) throws InvalidCostExportException {
        String value = line.text(DATE);
        try {
            return value.contains("/") ? LocalDate.parse(value, US_DATE) : LocalDate.parse(value.substring(0,
                    Math.min(10, value.length())));
        } catch (DateTimeParseException e) {
            throw line.error(line.first(DATE).orElseThrow().column(), "'" + value
                    + "' is not a date such as 03/01/2026 or 2026-03-01");
        }
    }

    private static List<String> lower(String[] names) {
        return java.util.Arrays.stream(names).map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }
}
