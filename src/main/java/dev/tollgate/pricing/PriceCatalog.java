package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An immutable snapshot of the price table, and the rule that picks the row for a record: among the rows of the
 * served model's family and the deployment's type that are in force at the record's time and whose version and region
 * are either the record's or unset, the most specific wins (version beats region beats neither), then the latest
 * {@code effective_from}.
 */
public final class PriceCatalog {

    private static final Comparator<Price> PREFERENCE = Comparator
            .comparingInt(PriceCatalog::specificity)
            .thenComparing(price -> price.row().effectiveFrom());

    private final long version;
    private final Map<Key, List<Price>> byFamilyAndType;

    public PriceCatalog(long version, List<Price> prices) {
        this.version = version;
        this.byFamilyAndType = prices.stream().collect(Collectors.groupingBy(
                price -> new Key(price.row().model(), price.row().deploymentType())));
    }

    /** The {@code price_catalog_version} this snapshot was read at. */
    public long version() {
        return version;
    }

    /** The price of a record's tokens, or why it has none. */
    public Priced price(String servedModel, DeploymentType type, String region, Instant at, Tokens tokens) {
        if (type != null && type.provisioned()) {
            return Priced.PROVISIONED;
        }
        Optional<Price> price = servedModel == null || type == null
                ? Optional.empty()
                : find(ModelName.of(servedModel), type, region, at);
        if (price.isPresent()) {
            return new Priced(price.get().id(), CostCalculator.cost(price.get().row(), tokens));
        }
        return tokens.none() ? Priced.NOTHING_TO_PRICE : Priced.UNPRICED;
    }

    /** A loop rather than a stream: it runs for every record the writer prices. */
    Optional<Price> find(ModelName model, DeploymentType type, String region, Instant at) {
        Price best = null;
        for (Price price : byFamilyAndType.getOrDefault(new Key(model.family(), type), List.of())) {
            if (price.inForceAt(at) && versionMatches(price, model) && regionMatches(price, region)
                    && (best == null || PREFERENCE.compare(price, best) > 0)) {
                best = price;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A row for one version applies to that version only; a row without one to every version. */
    private static boolean versionMatches(Price price, ModelName model) {
        Optional<String> version = price.row().modelVersion();
        return version.isEmpty() || version.get().equals(model.version().orElse(null));
    }

    private static boolean regionMatches(Price price, String region) {
        Optional<String> priced = price.row().region();
        return priced.isEmpty() || priced.get().equalsIgnoreCase(region);
    }

    private static int specificity(Price price) {
        return (price.row().modelVersion().isPresent() ? 2 : 0) + (price.row().region().isPresent() ? 1 : 0);
    }

    private record Key(String family, DeploymentType type) {
    }
}
