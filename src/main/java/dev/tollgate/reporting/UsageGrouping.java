package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The ways {@code /api/usage} can group token totals, each with the SQL expression of its key. */
public enum UsageGrouping {
    APP("app_id"),
    MODEL("coalesce(model, '(unknown)')"),
    DEPLOYMENT("deployment"),
    DAY("to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')");

    private final String sqlKey;

    UsageGrouping(String sqlKey) {
        this.sqlKey = sqlKey;
    }

    String sqlKey() {
        return sqlKey;
    }

    static UsageGrouping parse(String value) {
        if (value == null || value.isBlank()) {
            return APP;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "groupBy must be one of "
                    + Arrays.stream(values()).map(g -> g.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + "; got '" + value + "'.");
        }
    }
}
