package dev.tollgate.ledger;

/**
 * Text cells of the CSV that PostgreSQL's {@code COPY … (format csv)} reads, as the usage writer and the capacity
 * allocator write it: always quoted, so an empty string is not read as null; a null value is an empty cell.
 */
public final class CopyCsv {

    private CopyCsv() {
    }

    /** Appends the value as a cell (NUL characters dropped: PostgreSQL text cannot hold them, the row would be refused). */
    public static StringBuilder text(StringBuilder csv, String value) {
        if (value == null) {
            return csv;
        }
        csv.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                csv.append('"');
            }
            if (c != 0) {
                csv.append(c);
            }
        }
        return csv.append('"');
    }
}
