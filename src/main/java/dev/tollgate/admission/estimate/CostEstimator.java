package dev.tollgate.admission.estimate;

import dev.tollgate.metering.UsageRecord;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.Priced;
import dev.tollgate.pricing.Tokens;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Money, in memory, from the price catalog the usage writer prices with ({@link PriceCatalog}, refreshed by the
 * exchange from {@code price_catalog_version}):
 * <ul>
 *   <li>a settled request costs exactly what the writer will price it at: the same catalog, the same rule, the same
 *       record fields (served model, deployment type, region, time); unpriced tokens cost nothing here, as in the
 *       reports' priced totals;</li>
 *   <li>a request in flight is estimated before routing has picked a target, so its deployment type is unknown: its
 *       deployment name is priced as a model, at the dearest deployment type with a price in force (never under).
 *       Per-token rates are cached per deployment until the catalog changes.</li>
 * </ul>
 */
public final class CostEstimator {

    private static final Rates UNPRICED = new Rates(BigDecimal.ZERO, BigDecimal.ZERO);
    /** Callers may invent deployment names; past this many the rates are computed each time instead of kept. */
    private static final int MAX_CACHED = 10_000;

    private record Rates(BigDecimal inputPer1m, BigDecimal outputPer1m) {
    }

    private volatile PriceCatalog catalog;
    private volatile Map<String, Rates> rates = new ConcurrentHashMap<>();

    /** The catalog to price with; a new one (another version) drops the cached rates. */
    public void catalog(PriceCatalog latest) {
        PriceCatalog current = catalog;
        if (current == null || current.version() != latest.version()) {
            catalog = latest;
            rates = new ConcurrentHashMap<>();
        }
    }

    /** Drops the cached rates, so that prices whose effective dates began or ended since apply. */
    public void refresh() {
        rates = new ConcurrentHashMap<>();
    }

    /** The estimated cost of a request in flight. */
    public BigDecimal estimate(String deployment, TokenDemand demand) {
        Rates rate = rates(deployment);
        if (rate == UNPRICED) {
            return BigDecimal.ZERO;
        }
        return rate.inputPer1m.multiply(BigDecimal.valueOf(demand.input()))
                .add(rate.outputPer1m.multiply(BigDecimal.valueOf(demand.output()))).movePointLeft(6);
    }

    /** The exact cost of a settled request, as the usage writer prices it; zero if unpriced. */
    public BigDecimal cost(UsageRecord record) {
        PriceCatalog current = catalog;
        if (current == null) {
            return BigDecimal.ZERO;
        }
        Priced priced = current.price(record.model(), record.deploymentType(), record.region(), record.occurredAt(),
                new Tokens(record.usage().inputTokens(), record.usage().cachedInputTokens(),
                        record.usage().outputTokens()));
        return priced.unpriced() ? BigDecimal.ZERO : priced.cost();
    }

    private Rates rates(String deployment) {
        Map<String, Rates> cache = rates;
        Rates rate = cache.get(deployment);
        if (rate == null) {
            rate = compute(deployment);
            if (cache.size() < MAX_CACHED) {
                cache.put(deployment, rate);
            }
        }
        return rate;
    }

    private Rates compute(String deployment) {
        PriceCatalog current = catalog;
        if (current == null || deployment == null) {
            return UNPRICED;
        }
        Instant now = Instant.now();
        BigDecimal input = null;
        BigDecimal output = null;
        for (DeploymentType type : List.of(DeploymentType.values())) {
            Priced in = current.price(deployment, type, null, now, new Tokens(1_000_000, 0, 0));
            Priced out = current.price(deployment, type, null, now, new Tokens(0, 0, 1_000_000));
            if (!in.unpriced() && (input == null || in.cost().compareTo(input) > 0)) {
                input = in.cost();
            }
            if (!out.unpriced() && (output == null || out.cost().compareTo(output) > 0)) {
                output = out.cost();
            }
        }
        return input == null && output == null ? UNPRICED
                : new Rates(input == null ? BigDecimal.ZERO : input, output == null ? BigDecimal.ZERO : output);
    }
}
