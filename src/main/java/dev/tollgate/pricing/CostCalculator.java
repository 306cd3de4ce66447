package dev.tollgate.pricing;

import java.math.BigDecimal;

/**
 * The cost of tokens at a price: (input − cached) × input price + cached × cached-input price + output × output
 * price, per 1M tokens. Exact decimal arithmetic throughout; nothing is rounded here (the database keeps the exact
 * value, reports round only when they present).
 */
public final class CostCalculator {

    private CostCalculator() {
    }

    public static BigDecimal cost(PriceRow price, Tokens tokens) {
        // Cached tokens are part of the input; never more than all of it, whatever an upstream reports.
        long cached = Math.min(tokens.cachedInput(), tokens.input());
        BigDecimal cachedPrice = price.cachedInputPer1m().orElse(price.inputPer1m());
        return price.inputPer1m().multiply(BigDecimal.valueOf(tokens.input() - cached))
                .add(cachedPrice.multiply(BigDecimal.valueOf(cached)))
                .add(price.outputPer1m().multiply(BigDecimal.valueOf(tokens.output())))
                .movePointLeft(6);
    }
}
