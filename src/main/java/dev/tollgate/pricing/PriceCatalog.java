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
                : find(ModelName.parse(servedModel), type, region, at);
        if (price.isPresent()) {
            return new Priced(price.get().id(), CostCalculator.cost(price.get().row(), tokens));
        }
        return tokens.none() ? Priced.NOTHING_TO_PRICE : Priced.UNPRICED;
    }

    Optional<Price> find(ModelName model, DeploymentType type, String region, Instant at) {
        return byFamilyAndType.getOrDefault(new Key(model.family(), type), List.of()).stream()
                .filter(price -> price.inForceAt(at))
                .filter(price -> price.row().modelVersion().map(v -> model.version().map(v::equals).orElse(false))
                        .orElse(true))
                .filter(price -> price.row().region().map(r -> r.equalsIgnoreCase(region)).orElse(true))
                .max(PREFERENCE);
    }

    private static int specificity(Price price) {
        return (price.row().modelVersion().isPresent() ? 2 : 0) + (price.row().region().isPresent() ? 1 : 0);
    }

    private record Key(String family, DeploymentType type) {
    }
}
