package dev.tollgate.capacity;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Splits an amount of {@link Billing#SCALE} decimals in proportion to weights so that the parts sum to it exactly
 * (the largest remainder method): each part is first its exact share rounded down to the scale; the millionths left
 * over (fewer than there are parts) go one each to the parts whose exact share lost the most in that rounding, the
 * earlier part first on a tie. Callers list parts in a fixed order (app, deployment, model), so a re-run gives the same
 * figures.
 */
final class Shares {

    private Shares() {
    }

    /** The parts of {@code amount} for {@code weights} (none negative, at least one positive). */
    static List<BigDecimal> split(BigDecimal amount, List<BigDecimal> weights) {
        BigDecimal total = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        if (total.signum() <= 0) {
            throw new IllegalArgumentException("no weight to split by");
        }
        BigDecimal units = amount.movePointRight(Billing.SCALE);
        List<BigDecimal> floors = new ArrayList<>(weights.size());
        List<BigDecimal> remainders = new ArrayList<>(weights.size());
        BigDecimal given = BigDecimal.ZERO;
        for (BigDecimal weight : weights) {
            BigDecimal exact = units.multiply(weight);
            BigDecimal floor = exact.divide(total, 0, RoundingMode.FLOOR);
            floors.add(floor);
            remainders.add(exact.subtract(floor.multiply(total)));
            given = given.add(floor);
        }
        int left = units.subtract(given).intValueExact();
        IntStream.range(0, weights.size()).boxed()
                .sorted(Comparator.comparing((Integer i) -> remainders.get(i)).reversed().thenComparing(i -> i))
                .limit(left)
                .forEach(i -> floors.set(i, floors.get(i).add(BigDecimal.ONE)));
        return floors.stream().map(units1 -> units1.movePointLeft(Billing.SCALE).setScale(Billing.SCALE)).toList();
    }

    /** The part of {@code amount} that {@code used} of {@code capacity} is, rounded down to the scale (at most all). */
    static BigDecimal used(BigDecimal amount, BigDecimal used, BigDecimal capacity) {
        if (used.compareTo(capacity) >= 0) {
            return amount;
        }
        return amount.multiply(used).divide(capacity, Billing.SCALE, RoundingMode.FLOOR);
    }
}
