package dev.tollgate.finops.reconciliation;

import java.util.List;
import java.util.Set;

/** A kind of Azure cost export Tollgate reads: which columns identify it, and how a line becomes a charge. */
interface CostExportFormat {

    /** As stored and reported: {@code focus}, {@code actual-cost}. */
    String name();

    /** Every column it needs (each entry lists the names it goes by), lower case. */
    List<List<String>> requiredColumns();

    /** Whether a header (lower-case names) is this format's. */
    default boolean recognises(Set<String> header) {
        return requiredColumns().stream().allMatch(names -> names.stream().anyMatch(header::contains));
    }

    /** The line's currency, and the column it is in. */
    CsvLine.Cell currency(CsvLine line) throws InvalidCostExportException;

    BilledCharge read(CsvLine line) throws InvalidCostExportException;
}
