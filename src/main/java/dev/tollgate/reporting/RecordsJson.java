package dev.tollgate.reporting;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.List;

/**
 * A page of records as one JSON object, written as it streams: the period and filters, {@code next} (known before the
 * first record), then {@code records}. Decimals are plain ({@link PlainDecimals} configures the mapper's factory).
 */
final class RecordsJson implements RecordsWriter {

    private static final List<String> NAMES = RecordsWriter.fieldNames();

    private final JsonGenerator json;

    RecordsJson(ObjectMapper mapper, OutputStream out) throws IOException {
        this.json = mapper.createGenerator(out);
    }

    @Override
    public void start(RecordsQuery.Page page, String currency) throws IOException {
        RecordsQuery.Filter filter = page.filter();
        json.writeStartObject();
        json.writeStringField("from", filter.from().toString());
        json.writeStringField("to", filter.to().toString());
        json.writeStringField("currency", currency);
        json.writeStringField("next", page.next() == null ? null : page.next().encode());
        json.writeArrayFieldStart("records");
    }

    @Override
    public void accept(List<Object> values) throws IOException {
        json.writeStartObject();
        for (int i = 0; i < NAMES.size(); i++) {
            json.writeFieldName(NAMES.get(i));
            Object value = values.get(i);
            if (value == null) {
                json.writeNull();
            } else if (value instanceof Long number) {
                json.writeNumber(number);
            } else if (value instanceof BigDecimal decimal) {
                json.writeNumber(decimal);
            } else if (value instanceof Boolean flag) {
                json.writeBoolean(flag);
            } else {
                json.writeString(value.toString());
            }
        }
        json.writeEndObject();
    }

    @Override
    public void finish() throws IOException {
        json.writeEndArray();
        json.writeEndObject();
        json.close();
    }
}
