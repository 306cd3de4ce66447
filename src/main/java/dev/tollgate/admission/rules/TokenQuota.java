package dev.tollgate.admission.rules;

/** Tokens allowed per calendar hour, day and month; null where there is no quota for that period. */
public record TokenQuota(Long hour, Long day, Long month) {

    /** The quota of a period, or null. */
    public Long of(Period period) {
        return switch (period) {
            case HOUR -> hour;
            case DAY -> day;
            case MONTH -> month;
        };
    }

    boolean isEmpty() {
        return hour == null && day == null && month == null;
    }
}
