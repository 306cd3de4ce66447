package dev.tollgate.finops.reconciliation;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many items one unit of measure counts: {@code 1K} and {@code 1K Tokens} are 1,000, {@code 1M} and
 * {@code 1000000 Tokens} 1,000,000, {@code Tokens} 1. Azure's exports write a meter's unit in these forms.
 */
final class Units {

    private static final Pattern UNIT = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)?\\s*([km](?=\\s|$))?\\s*(\\D*)");

    private Units() {
    }

    /** The size of the unit; empty when it cannot be read. */
    static Optional<BigDecimal> size(String unit) {
        Matcher matcher = UNIT.matcher(unit);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal size = matcher.group(1) == null ? BigDecimal.ONE : new BigDecimal(matcher.group(1));
        if (matcher.group(2) != null) {
            size = size.movePointRight(matcher.group(2).toLowerCase(Locale.ROOT).equals("k") ? 3 : 6);
        }
        return Optional.of(size);
    }
}
