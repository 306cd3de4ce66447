package dev.tollgate.reporting;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.List;

/**
 * A page of records as CSV, a header row then a row per record, written as it streams. Text cells go through
 * {@link CsvCells}; decimals are plain; the cost's currency is a column, as in the chargeback CSV. The next page's
 * cursor is in the response's {@code Link} header, not in the file.
 */
final class RecordsCsv implements RecordsWriter {

    private static final CsvMapper CSV = new CsvMapper();
    private static final List<String> NAMES = RecordsWriter.fieldNames();

    private final OutputStream out;
    private SequenceWriter rows;
    private String currency;

    RecordsCsv(OutputStream out) {
        this.out = out;
    }

    @Override
    public void start(RecordsQuery.Page page, String currency) throws IOException {
        this.currency = currency;
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        NAMES.forEach(schema::addColumn);
        schema.addColumn("currency");
        rows = CSV.writerFor(String[].class).with(schema.build()).writeValues(out);
    }

    @Override
    public void accept(List<Object> values) throws IOException {
        String[] row = new String[values.size() + 1];
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            row[i] = value instanceof String text ? CsvCells.text(text)
                    : value instanceof BigDecimal decimal ? decimal.toPlainString()
                    : value == null ? "" : value.toString();
        }
        row[values.size()] = currency;
        rows.write(row);
    }

    @Override
    public void finish() throws IOException {
        rows.close();
    }
}
