package dev.tollgate.admission.rules;

import java.math.BigDecimal;

/** Money allowed per calendar month and, optionally, per day, in the price catalog's currency; null where none. */
public record CostBudget(BigDecimal month, BigDecimal day) {

    /** The budget of a period, or null (there is no hourly budget). */
    public BigDecimal of(Period period) {
        return switch (period) {
            case HOUR -> null;
            case DAY -> day;
            case MONTH -> month;
        };
    }

    boolean isEmpty() {
        return month == null && day == null;
    }
}
