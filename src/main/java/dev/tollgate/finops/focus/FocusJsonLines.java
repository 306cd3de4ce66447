package dev.tollgate.finops.focus;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FOCUS dataset as JSON Lines: one object per charge, keys in column order, decimals as plain JSON numbers, dates
 * as strings, tags as an object, null for no value. Values are exact (no spreadsheet escaping).
 */
final class FocusJsonLines {

    private FocusJsonLines() {
    }

    static void write(List<FocusRow> rows, ObjectMapper json, OutputStream out) throws IOException {
        for (FocusRow row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (FocusColumn column : FocusColumn.values()) {
                Object value = row.get(column);
                object.put(column.id(), value instanceof Instant instant ? FocusCsv.DATE_TIME.format(instant) : value);
            }
            out.write(json.writeValueAsBytes(object));
            out.write('\n');
        }
        out.flush();
    }
}
