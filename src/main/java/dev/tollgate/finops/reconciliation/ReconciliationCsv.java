package dev.tollgate.finops.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.reporting.CsvCells;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A reconciliation as CSV, one line per row with the JSON's names; the summary is not a line (a column's sum would
 * count it twice), it is the JSON's. Text cells are spreadsheet-safe: meter names come from the uploaded file.
 */
final class ReconciliationCsv {

    private static final CsvMapper CSV = new CsvMapper();
    private static final CsvSchema SCHEMA = CsvSchema.builder().setUseHeader(true)
            .addColumns(List.of("resourceId", "day", "meter", "model", "modelVersion", "deploymentType", "tokenClass",
                    "azureQuantity", "azureCost", "tollgateQuantity", "tollgateCost", "quantityDifference",
                    "costDifference", "azureUnitPrice", "tollgateUnitPrice", "priceIds", "classification", "note",
                    "currency"), CsvSchema.ColumnType.STRING)
            .build();

    private ReconciliationCsv() {
    }

    static String of(Reconciliation reconciliation) {
        List<List<String>> lines = new ArrayList<>();
        for (Reconciliation.Row row : reconciliation.rows()) {
            lines.add(List.of(text(row.resourceId()), row.day().toString(), text(row.meter()), text(row.model()),
                    text(row.modelVersion()), text(row.deploymentType()), text(row.tokenClass()),
                    plain(row.azureQuantity()), plain(row.azureCost()), String.valueOf(row.tollgateQuantity()),
                    plain(row.tollgateCost()), plain(row.quantityDifference()), plain(row.costDifference()),
                    plain(row.azureUnitPrice()), plain(row.tollgateUnitPrice()),
                    row.priceIds().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                    row.classification().key(), text(row.note()), reconciliation.currency()));
        }
        try {
            return lines.isEmpty() ? String.join(",", SCHEMA.getColumnNames()) + "\n"
                    : CSV.writerFor(List.class).with(SCHEMA).writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a reconciliation as CSV", e);
        }
    }

    private static String text(String value) {
        return value == null ? "" : CsvCells.text(value);
    }

    private static String plain(BigDecimal value) {
        return value == null ? "" : value.toPlainString();
    }
}
