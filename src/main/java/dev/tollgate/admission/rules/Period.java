package dev.tollgate.admission.rules;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** A calendar period of a token quota or a cost budget, in the configured time zone. */
public enum Period {
    HOUR("hour"),
    DAY("day"),
    MONTH("month");

    private final String key;

    Period(String key) {
        this.key = key;
    }

    /** As written in JSON and stored: {@code hour}, {@code day}, {@code month}. */
    public String key() {
        return key;
    }

    /** The start of the period holding {@code at}. */
    public Instant start(Instant at, ZoneId zone) {
        ZonedDateTime local = at.atZone(zone);
        ZonedDateTime start = switch (this) {
            case HOUR -> local.truncatedTo(ChronoUnit.HOURS);
            case DAY -> local.toLocalDate().atStartOfDay(zone);
            case MONTH -> local.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
        };
        return start.toInstant();
    }

    /** The start of the next period after the one starting at {@code start}. */
    public Instant next(Instant start, ZoneId zone) {
        ZonedDateTime local = start.atZone(zone);
        return switch (this) {
            case HOUR -> start.plus(1, ChronoUnit.HOURS);
            case DAY -> local.toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
            case MONTH -> local.toLocalDate().plusMonths(1).atStartOfDay(zone).toInstant();
        };
    }

    public static Period of(String key) {
        for (Period period : values()) {
            if (period.key.equals(key)) {
                return period;
            }
        }
        throw new IllegalArgumentException("Unknown period '" + key + "'");
    }
}
