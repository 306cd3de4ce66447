package dev.tollgate.finops.focus;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;

/** One charge of the FOCUS dataset: a value (or none) per {@link FocusColumn}, typed as the column's kind says. */
public final class FocusRow {

    private final Map<FocusColumn, Object> values = new EnumMap<>(FocusColumn.class);

    public FocusRow text(FocusColumn column, String value) {
        return put(column, FocusColumn.Kind.TEXT, value);
    }

    public FocusRow decimal(FocusColumn column, BigDecimal value) {
        return put(column, FocusColumn.Kind.DECIMAL, value);
    }

    public FocusRow dateTime(FocusColumn column, Instant value) {
        return put(column, FocusColumn.Kind.DATE_TIME, value);
    }

    public FocusRow keyValue(FocusColumn column, SortedMap<String, String> value) {
        return put(column, FocusColumn.Kind.KEY_VALUE, value);
    }

    /** The value, null when the row has none. */
    public Object get(FocusColumn column) {
        return values.get(column);
    }

    private FocusRow put(FocusColumn column, FocusColumn.Kind kind, Object value) {
        if (column.kind() != kind) {
            throw new IllegalArgumentException(column.id() + " is " + column.kind() + ", not " + kind);
        }
        values.put(column, value);
        return this;
    }
}
