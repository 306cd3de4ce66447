package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One line of an uploaded CSV, read by column name (case-insensitive, as exports differ in case), with errors that
 * name the line and the column.
 */
final class CsvLine {

    private final int number;
    private final Map<String, Integer> columns;
    private final List<String> values;

    CsvLine(int number, Map<String, Integer> columns, List<String> values) {
        this.number = number;
        this.columns = columns;
        this.values = values;
    }

    int number() {
        return number;
    }

    /** The first of the named columns the file has, with its value (null when empty). */
    Optional<Cell> first(String... names) {
        for (String name : names) {
            Integer index = columns.get(name.toLowerCase(Locale.ROOT));
            if (index != null) {
                String value = index < values.size() ? values.get(index).trim() : "";
                return Optional.of(new Cell(name, value.isEmpty() ? null : value));
            }
        }
        return Optional.empty();
    }

    /** The value of the first of the named columns the file has; an error if it is empty. */
    String text(String... names) throws InvalidCostExportException {
        return cell(names).value();
    }

    /** The first of the named columns the file has, with its value; an error if it is empty. */
    Cell cell(String... names) throws InvalidCostExportException {
        Cell cell = first(names).orElseThrow(() -> new IllegalStateException("format without " + names[0]));
        if (cell.value() == null) {
            throw error(cell.column(), "is empty");
        }
        return cell;
    }

    BigDecimal decimal(String... names) throws InvalidCostExportException {
        String value = text(names);
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw error(first(names).orElseThrow().column(), "'" + value + "' is not a number");
        }
    }

    InvalidCostExportException error(String column, String problem) {
        return new InvalidCostExportException("Line " + number + ", column " + column + ": " + problem + ".");
    }

    /** A column as the file names it, and its value (null when empty). */
    record Cell(String column, String value) {
    }
}
