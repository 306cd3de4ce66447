package dev.tollgate.reporting;

import dev.tollgate.ledger.RecordColumn;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * A field of a usage record as the records API writes it: the {@link RecordColumn}s in their order, each with its
 * JSON and CSV name and its kind. The switch names every column, so one added to the ledger appears here too.
 */
record RecordField(RecordColumn column, String name, Kind kind) {

    enum Kind {
        TEXT, INSTANT, INTEGER, BOOLEAN, DECIMAL
    }

    /** Every record column, in order. */
    static final List<RecordField> ALL = Arrays.stream(RecordColumn.values())
            .map(RecordField::of).toList();
    /** The extra field after the columns: the name the app is known by, if any. */
    static final String APP_NAME = "appName";

    private static RecordField of(RecordColumn column) {
        Kind kind = switch (column) {
            case ID, APP_ID, TENANT_ID, DEPLOYMENT, MODEL, BACKEND_ID, REGION, OPERATION, USAGE_SOURCE,
                 UPSTREAM_REQUEST_ID, DEPLOYMENT_TYPE, USER_ID, LIMITED_BY, UPSTREAM_DEPLOYMENT, SPILLED_FROM_BACKEND,
                 SPILLED_FROM_DEPLOYMENT -> Kind.TEXT;
            case OCCURRED_AT -> Kind.INSTANT;
            case STATUS, LATENCY_MS, ATTEMPTS, INPUT_TOKENS, CACHED_INPUT_TOKENS, OUTPUT_TOKENS, REASONING_TOKENS,
                 TOTAL_TOKENS, PRICE_ID, SPILLED_STATUS -> Kind.INTEGER;
            case STREAM, MODEL_INFERRED -> Kind.BOOLEAN;
            case COST -> Kind.DECIMAL;
        };
        return new RecordField(column, camelCase(column.sql()), kind);
    }

    /** The field's value in a row of {@link RecordsQuery}: String, Long, Boolean, BigDecimal or null. */
    Object read(ResultSet row) throws SQLException {
        String label = column.sql();
        return switch (kind) {
            case TEXT -> row.getString(label);
            case INSTANT -> row.getObject(label, OffsetDateTime.class).toInstant().toString();
            case INTEGER -> {
                long value = row.getLong(label);
                yield row.wasNull() ? null : value;
            }
            case BOOLEAN -> row.getBoolean(label);
            case DECIMAL -> row.getBigDecimal(label);
        };
    }

    private static String camelCase(String sql) {
        StringBuilder name = new StringBuilder();
        for (String part : sql.split("_")) {
            name.append(name.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return name.toString();
    }
}
