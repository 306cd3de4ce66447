package dev.tollgate.ledger;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The columns of {@code usage_record} that a usage record fills, in the order they are copied in; {@code seq}, which
 * the table draws itself, aside. The one list of them: the writer's COPY and insert, the CSV it copies (whose switch
 * over these constants no column can be missing from) and the export's select all take it from here.
 */
public enum RecordColumn {
    ID, OCCURRED_AT, APP_ID, TENANT_ID, DEPLOYMENT, MODEL, BACKEND_ID, REGION, OPERATION, STREAM, STATUS, LATENCY_MS,
    ATTEMPTS, INPUT_TOKENS, CACHED_INPUT_TOKENS, OUTPUT_TOKENS, REASONING_TOKENS, TOTAL_TOKENS, USAGE_SOURCE,
    UPSTREAM_REQUEST_ID, DEPLOYMENT_TYPE, PRICE_ID, COST, USER_ID, MODEL_INFERRED,
    LIMITED_BY, UPSTREAM_DEPLOYMENT, SPILLED_FROM_BACKEND, SPILLED_FROM_DEPLOYMENT, SPILLED_STATUS;

    /** Every column, comma-separated, in order. */
    public static final String ALL = list(values());

    private final String sql = name().toLowerCase(Locale.ROOT);

    /** The column's name in SQL. */
    public String sql() {
        return sql;
    }

    /** The columns' names, comma-separated, in the order given. */
    public static String list(RecordColumn... columns) {
        return Arrays.stream(columns).map(RecordColumn::sql).collect(Collectors.joining(", "));
    }
}
