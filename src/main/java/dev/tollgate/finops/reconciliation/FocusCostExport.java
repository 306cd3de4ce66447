package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cost Management's FOCUS export (FOCUS 1.0 to 1.2 column names): the day from {@code ChargePeriodStart}, the cost
 * from {@code BilledCost} (what the invoice charges), the meter from {@code SkuMeter} or, in the 1.0 dataset,
 * {@code x_SkuMeterName}; the quantity from {@code ConsumedQuantity} in {@code ConsumedUnit}, else from
 * {@code PricingQuantity} in {@code PricingUnit}.
 */
final class FocusCostExport implements CostExportFormat {

    private static final Set<String> CATEGORIES = Set.of("Usage", "Purchase", "Tax", "Credit", "Adjustment");
    /** ISO date-times in UTC, with or without seconds (the 1.0 dataset wrote none), or a bare date. */
    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().optionalEnd()
            .appendOffset("+HH:MM", "Z").optionalEnd()
            .toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT); // no 31 February

    @Override
    public String name() {
        return "focus";
    }

    @Override
    public List<List<String>> requiredColumns() {
        return List.of(List.of("chargeperiodstart"), List.of("billedcost"), List.of("billingcurrency"),
                List.of("chargecategory"), List.of("resourceid"), List.of("skumeter", "x_skumetername"),
                List.of("consumedquantity", "pricingquantity"));
    }

    @Override
    public CsvLine.Cell currency(CsvLine line) throws InvalidCostExportException {
        return line.cell("BillingCurrency");
    }

    @Override
    public BilledCharge read(CsvLine line) throws InvalidCostExportException {
        String category = line.text("ChargeCategory");
        if (!CATEGORIES.contains(category)) {
            throw line.error("ChargeCategory", "'" + category + "' is not one of " + String.join(", ",
                    CATEGORIES.stream().sorted().toList()));
        }
        boolean usage = BilledCharge.USAGE.equals(category);
        String meter = line.first("SkuMeter", "x_SkuMeterName").map(CsvLine.Cell::value).orElse(null);
        if (meter == null && usage) {
            throw line.error(line.first("SkuMeter", "x_SkuMeterName").orElseThrow().column(), "is empty");
        }
        BigDecimal quantity = BigDecimal.ZERO;
        String unit = "";
        BigDecimal size = BigDecimal.ONE;
        boolean consumed = line.first("ConsumedQuantity").map(c -> c.value() != null).orElse(false);
        String quantityColumn = consumed ? "ConsumedQuantity" : "PricingQuantity";
        String unitColumn = consumed ? "ConsumedUnit" : "PricingUnit";
        if (usage || line.first(quantityColumn).map(c -> c.value() != null).orElse(false)) {
            quantity = line.decimal(quantityColumn);
            unit = line.first(unitColumn).map(CsvLine.Cell::value).orElse("");
            String written = unit;
            size = Units.size(unit).orElseThrow(() -> line.error(unitColumn, "'" + written + "' is not a unit"));
        }
        String resource = line.first("ResourceId").map(CsvLine.Cell::value).orElse("");
        return new BilledCharge(line.number(), day(line), resource.toLowerCase(Locale.ROOT), category,
                meter == null ? "" : meter, quantity, unit, size, line.decimal("BilledCost"));
    }

    private static LocalDate day(CsvLine line) throws InvalidCostExportException {
        String value = line.text("ChargePeriodStart");
        try {
            var parsed = DATE_TIME.parseBest(value, OffsetDateTime::from, LocalDate::from);
            return parsed instanceof OffsetDateTime at ? at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate()
                    : (LocalDate) parsed;
        } catch (DateTimeException e) {
            throw line.error("ChargePeriodStart", "'" + value + "' is not an ISO date-time such as "
                    + "2026-03-01T00:00:00Z");
        }
    }
}
