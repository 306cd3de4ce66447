package dev.tollgate.capacity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a capacity row is paid, and so what each UTC hour of it costs. A reservation's amount is spread over every hour
 * of its calendar month or year by cumulative rounding down to {@link #SCALE} decimals: hour k of H costs
 * floor(A·(k+1)/H) − floor(A·k/H), so the hours of a whole month (year) sum to its amount exactly and each hour's cost
 * depends on nothing but the row and the hour.
 */
public enum Billing {
    /** {@code amount} per PTU and hour. */
    HOURLY("hourly"),
    /** {@code amount} for the row's PTUs per calendar month (UTC). */
    MONTHLY("monthly"),
    /** {@code amount} for the row's PTUs per calendar year (UTC). */
    YEARLY("yearly");

    /** Decimals of every allocated amount: millionths of the currency unit. */
    public static final int SCALE = 6;

    private final String key;

    Billing(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** What the hour starting at {@code hour} (a whole UTC hour) of {@code ptu} PTUs at {@code amount} costs. */
    public BigDecimal hourCost(BigDecimal amount, int ptu, Instant hour) {
        if (this == HOURLY) {
            return amount.multiply(BigDecimal.valueOf(ptu)).setScale(SCALE, RoundingMode.UNNECESSARY);
        }
        LocalDateTime at = LocalDateTime.ofInstant(hour, ZoneOffset.UTC);
        LocalDateTime start = this == MONTHLY
                ? at.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS)
                : at.withDayOfYear(1).truncatedTo(ChronoUnit.DAYS);
        LocalDateTime end = this == MONTHLY ? start.plusMonths(1) : start.plusYears(1);
        long hours = ChronoUnit.HOURS.between(start, end);
        long k = ChronoUnit.HOURS.between(start, at);
        return cumulative(amount, k + 1, hours).subtract(cumulative(amount, k, hours));
    }

    private static BigDecimal cumulative(BigDecimal amount, long hoursPassed, long hours) {
        return amount.multiply(BigDecimal.valueOf(hoursPassed)).divide(BigDecimal.valueOf(hours), SCALE, RoundingMode.FLOOR);
    }

    public static Billing parse(String value) {
        String normalised = value.trim().toLowerCase(Locale.ROOT);
        for (Billing billing : values()) {
            if (billing.key.equals(normalised)) {
                return billing;
            }
        }
        throw new IllegalArgumentException("Unknown billing '" + value + "'; expected one of "
                + Arrays.stream(values()).map(Billing::key).collect(Collectors.joining(", ")));
    }
}
