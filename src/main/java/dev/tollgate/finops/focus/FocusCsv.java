package dev.tollgate.finops.focus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.reporting.CsvCells;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The FOCUS dataset as CSV (RFC 4180 quoting): a header of column ids, dates {@code YYYY-MM-DDTHH:mm:ssZ}, decimals
 * plain, tags as a JSON object, an empty cell for null; text cells made spreadsheet-safe ({@link CsvCells}).
 */
final class FocusCsv {

    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final CsvMapper CSV = CsvMapper.builder().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).build();
    private static final CsvSchema SCHEMA;

    static {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        for (FocusColumn column : FocusColumn.values()) {
            schema.addColumn(column.id());
        }
        SCHEMA = schema.build();
    }

    private FocusCsv() {
    }

    static void write(List<FocusRow> rows, ObjectMapper json, OutputStream out) throws IOException {
        if (rows.isEmpty()) { // Jackson writes the header with the first row: the header alone, by hand
            out.write((String.join(",", SCHEMA.getColumnNames()) + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (var writer = CSV.writerFor(List.class).with(SCHEMA).writeValues(out)) {
            for (FocusRow row : rows) {
                List<String> cells = new ArrayList<>();
                for (FocusColumn column : FocusColumn.values()) {
                    cells.add(cell(column, row.get(column), json));
                }
                writer.write(cells);
            }
        }
    }

    private static String cell(FocusColumn column, Object value, ObjectMapper json) throws JsonProcessingException {
        if (value == null) {
            return "";
        }
        return switch (column.kind()) {
            case TEXT -> CsvCells.text((String) value);
            case DECIMAL -> ((BigDecimal) value).toPlainString();
            case DATE_TIME -> DATE_TIME.format((Instant) value);
            case KEY_VALUE -> json.writeValueAsString(value);
        };
    }
}
