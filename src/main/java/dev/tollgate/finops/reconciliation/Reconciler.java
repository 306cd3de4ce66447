package dev.tollgate.finops.reconciliation;

import dev.tollgate.finops.AppliedPrice;
import dev.tollgate.finops.BackendResources;
import dev.tollgate.finops.FinOpsConfig;
import dev.tollgate.finops.MeteredTokens;
import dev.tollgate.finops.MeteredUsage;
import dev.tollgate.pricing.ModelName;
import dev.tollgate.pricing.PricingConfig;
import dev.tollgate.pricing.retail.MeterNames;
import dev.tollgate.pricing.retail.MeterNames.Component;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sets a month of the Azure bill (the newest upload that has lines in it) beside the tokens Tollgate metered, per
 * resource, UTC day and meter, and classifies each line. A meter is matched by what its name says (model family,
 * version, deployment type, token class: read as the Retail Prices import reads it); a meter without a version
 * matches every version of its model.
 */
@ApplicationScoped
public class Reconciler {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final ReconciliationStore store;
    private final MeteredTokens metered;
    private final BackendResources resources;
    private final FinOpsConfig.Reconciliation tolerance;
    private final PricingConfig pricing;

    public Reconciler(ReconciliationStore store, MeteredTokens metered, BackendResources resources,
                      FinOpsConfig config, PricingConfig pricing) {
        this.store = store;
        this.metered = metered;
        this.resources = resources;
        this.tolerance = config.reconciliation();
        this.pricing = pricing;
    }

    /** The month's reconciliation; empty when no upload has lines in it. */
    public Optional<Reconciliation> reconcile(YearMonth month) throws SQLException {
        LocalDate from = month.atDay(1);
        LocalDate to = month.plusMonths(1).atDay(1);
        Optional<StoredImport> source = store.latestCovering(from, to);
        if (source.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> resourceOf = new LinkedHashMap<>();
        resources.byBackend().forEach((backend, id) -> resourceOf.put(backend, id.toLowerCase(Locale.ROOT)));
        Set<String> known = new HashSet<>(resourceOf.values());

        Map<Key, Line> lines = new LinkedHashMap<>();
        BigDecimal billed = BigDecimal.ZERO;
        BigDecimal usage = BigDecimal.ZERO;
        for (BilledCharge charge : store.charges(source.get().id(), from, to)) {
            billed = billed.add(charge.cost());
            if (charge.usage()) {
                usage = usage.add(charge.cost());
                Line line = billedLine(charge, known, lines);
                line.meters.add(charge.meter());
                line.azureQuantity = line.azureQuantity.add(charge.items());
                line.azureCost = line.azureCost.add(charge.cost());
                line.billed = true;
            }
        }

        BigDecimal withoutResourceCost = BigDecimal.ZERO;
        long withoutResourceTokens = 0;
        for (MeteredUsage used : metered.between(from, to, false)) {
            String resource = resourceOf.get(used.backendId());
            if (resource == null) {
                withoutResourceCost = withoutResourceCost.add(cost(used));
                withoutResourceTokens += used.totalTokens();
                continue;
            }
            ModelName model = ModelName.parse(used.model().orElse(""));
            for (Component tokenClass : Component.values()) {
                long tokens = used.tokens(tokenClass);
                if (tokens == 0) {
                    continue;
                }
                Key exact = new Key(resource, used.day(), model.family(), model.version().orElse(""),
                        used.deploymentType(), tokenClass, null);
                Key anyVersion = new Key(resource, used.day(), model.family(), "", used.deploymentType(),
                        tokenClass, null);
                Line line = lines.containsKey(exact) || !lines.containsKey(anyVersion)
                        ? lines.computeIfAbsent(exact, Line::new) : lines.get(anyVersion);
                line.tollgateQuantity += tokens;
                Optional<BigDecimal> cost = used.cost(tokenClass);
                cost.ifPresent(c -> line.tollgateCost = line.tollgateCost.add(c));
                if (cost.isEmpty()) {
                    line.unpricedTokens += tokens;
                }
                used.price().ifPresent(price -> line.prices.put(price.id(), price));
            }
        }

        List<Reconciliation.Row> rows = lines.values().stream().map(line -> row(line, known, month))
                .sorted(Comparator.comparing(Reconciliation.Row::resourceId).thenComparing(Reconciliation.Row::day)
                        .thenComparing(Reconciliation.Row::meter))
                .toList();
        return Optional.of(new Reconciliation(month.toString(), pricing.currency(), source.get(),
                new Reconciliation.Tolerance(tolerance.quantityTolerance(), tolerance.costTolerance()),
                summary(rows, billed, usage, withoutResourceCost, withoutResourceTokens), rows));
    }

    /** The line a usage charge of the bill belongs to, its note set when the meter is not one Tollgate meters. */
    private static Line billedLine(BilledCharge charge, Set<String> known, Map<Key, Line> lines) {
        if (known.contains(charge.resourceId())) {
            Optional<String> ignored = MeterNames.ignoredReason("", charge.meter());
            MeterNames.Result parsed = ignored.isPresent() ? null : MeterNames.parse(charge.meter(), charge.day());
            if (parsed instanceof MeterNames.Parsed meter) {
                MeterNames.Name name = meter.name();
                return lines.computeIfAbsent(new Key(charge.resourceId(), charge.day(), name.family(),
                        name.version().orElse(""), name.deploymentType().key(), name.component(), null), Line::new);
            }
            String reason = ignored.orElseGet(() -> ((MeterNames.Rejected) parsed).reason());
            Line line = lines.computeIfAbsent(new Key(charge.resourceId(), charge.day(), null, null, null, null,
                    charge.meter()), Line::new);
            line.note = "Tollgate does not meter this meter (" + reason + ")";
            return line;
        }
        return lines.computeIfAbsent(new Key(charge.resourceId(), charge.day(), null, null, null, null,
                charge.meter()), Line::new);
    }

    private Reconciliation.Row row(Line line, Set<String> known, YearMonth month) {
        Key key = line.key;
        BigDecimal tollgate = BigDecimal.valueOf(line.tollgateQuantity);
        Classification classification;
        String note;
        if (!known.contains(key.resource())) {
            classification = Classification.UNKNOWN_RESOURCE;
            note = key.resource().isEmpty() ? "The line names no resource"
                    : "No backend has this resource id (tollgate.backends.<id>.resource-id): none of its usage "
                    + "passed through Tollgate";
        } else if (key.rawMeter() != null) {
            classification = Classification.UNMETERED_USAGE;
            note = line.note;
        } else if (!line.billed) {
            classification = Classification.NOT_BILLED;
            note = "Azure billed none of these tokens: the export may lag or end before this day";
        } else {
            BigDecimal difference = line.azureQuantity.subtract(tollgate);
            BigDecimal allowed = tolerance.quantityTolerance().multiply(line.azureQuantity.max(tollgate));
            if (difference.compareTo(allowed) > 0) {
                classification = Classification.UNMETERED_USAGE;
                note = "Azure billed " + difference.toPlainString() + " tokens more than passed through Tollgate: "
                        + "something calls the resource directly";
            } else if (difference.negate().compareTo(allowed) > 0) {
                classification = Classification.NOT_BILLED;
                note = "Tollgate metered " + difference.negate().toPlainString() + " tokens more than Azure billed";
            } else if (line.unpricedTokens > 0 || !sameCost(line)) {
                classification = Classification.PRICE_MISMATCH;
                note = repriceAdvice(line, month);
            } else {
                classification = Classification.MATCHED;
                note = null;
            }
        }
        AppliedPrice single = line.prices.size() == 1 && line.unpricedTokens == 0
                ? line.prices.values().iterator().next() : null;
        return new Reconciliation.Row(key.resource(), key.day(), meter(line), key.family(), emptyToNull(key.version()),
                key.deploymentType(), key.tokenClass() == null ? null : key.tokenClass().label, line.azureQuantity,
                line.azureCost, line.tollgateQuantity, line.tollgateCost, line.azureQuantity.subtract(tollgate),
                line.azureCost.subtract(line.tollgateCost), azureUnitPrice(line),
                single == null ? null : single.per1m(key.tokenClass()), List.copyOf(new TreeMap<>(line.prices).keySet()),
                classification, note);
    }

    private boolean sameCost(Line line) {
        BigDecimal allowed = tolerance.costTolerance().multiply(line.azureCost.abs().max(line.tollgateCost.abs()));
        return line.azureCost.subtract(line.tollgateCost).abs().compareTo(allowed) <= 0;
    }

    /** Which price rows to correct, and how: the price Azure charged, from that day, then a reprice. */
    private String repriceAdvice(Line line, YearMonth month) {
        Key key = line.key;
        BigDecimal billedPrice = azureUnitPrice(line);
        String field = switch (key.tokenClass()) {
            case INPUT -> "inputPer1m";
            case CACHED_INPUT -> "cachedInputPer1m";
            case OUTPUT -> "outputPer1m";
        };
        String what = key.family() + (key.version().isEmpty() ? "" : " " + key.version()) + " " + key.deploymentType();
        StringBuilder advice = new StringBuilder("Azure charged " + plain(billedPrice) + " " + pricing.currency()
                + " per 1M " + key.tokenClass().label + " tokens");
        if (!line.prices.isEmpty()) {
            advice.append("; Tollgate priced them with ");
            List<String> rows = new ArrayList<>();
            line.prices.values().forEach(p -> rows.add("price row " + p.id() + " (" + p.describe() + ") at "
                    + p.per1m(key.tokenClass()).toPlainString()));
            advice.append(String.join(", ", rows));
        }
        if (line.unpricedTokens > 0) {
            advice.append("; no price row was in force for ").append(line.unpricedTokens).append(" of them");
        }
        return advice.append(". If Azure's price is right, add a price row for ").append(what).append(" with ")
                .append(field).append("=").append(plain(billedPrice)).append(" effective from ").append(key.day())
                .append(", then reprice: POST /api/prices/reprice?from=").append(key.day()).append("&to=")
                .append(month.plusMonths(1).atDay(1)).toString();
    }

    private static BigDecimal azureUnitPrice(Line line) {
        return line.azureQuantity.signum() == 0 ? null
                : line.azureCost.multiply(MILLION).divide(line.azureQuantity, 6, RoundingMode.HALF_EVEN);
    }

    private static Reconciliation.Summary summary(List<Reconciliation.Row> rows, BigDecimal billed, BigDecimal usage,
                                                  BigDecimal withoutResourceCost, long withoutResourceTokens) {
        BigDecimal accounted = BigDecimal.ZERO;
        BigDecimal unmetered = BigDecimal.ZERO;
        BigDecimal unknown = BigDecimal.ZERO;
        BigDecimal priceDifference = BigDecimal.ZERO;
        BigDecimal tollgate = withoutResourceCost;
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Classification classification : Classification.values()) {
            counts.put(classification.key(), 0L);
        }
        for (Reconciliation.Row row : rows) {
            counts.merge(row.classification().key(), 1L, Long::sum);
            tollgate = tollgate.add(row.tollgateCost());
            if (row.classification() == Classification.UNKNOWN_RESOURCE) {
                unknown = unknown.add(row.azureCost());
                continue;
            }
            BigDecimal part = accounted(row);
            accounted = accounted.add(part);
            if (row.classification() == Classification.UNMETERED_USAGE) {
                unmetered = unmetered.add(row.azureCost().subtract(part));
            } else if (row.classification() == Classification.PRICE_MISMATCH) {
                priceDifference = priceDifference.add(row.costDifference());
            }
        }
        BigDecimal share = billed.signum() == 0 ? null : accounted.divide(billed, 6, RoundingMode.HALF_EVEN);
        return new Reconciliation.Summary(billed, usage, accounted, share, unmetered, unknown, priceDifference,
                tollgate, withoutResourceCost, withoutResourceTokens, counts);
    }

    /** What Azure charged for the part of a line's tokens that passed through Tollgate. */
    private static BigDecimal accounted(Reconciliation.Row row) {
        BigDecimal azure = row.azureQuantity();
        if (azure.signum() <= 0 || row.model() == null) {
            return BigDecimal.ZERO;
        }
        BigDecimal tollgate = BigDecimal.valueOf(row.tollgateQuantity());
        if (tollgate.compareTo(azure) >= 0) {
            return row.azureCost();
        }
        return row.azureCost().multiply(tollgate).divide(azure, 10, RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    private static BigDecimal cost(MeteredUsage used) {
        BigDecimal cost = BigDecimal.ZERO;
        for (Component tokenClass : Component.values()) {
            cost = cost.add(used.cost(tokenClass).orElse(BigDecimal.ZERO));
        }
        return cost;
    }

    private static String meter(Line line) {
        if (!line.meters.isEmpty()) {
            return String.join("; ", line.meters);
        }
        Key key = line.key;
        return key.family() + (key.version().isEmpty() ? "" : "-" + key.version()) + " " + key.tokenClass().label
                + " tokens (" + key.deploymentType() + ")";
    }

    private static String plain(BigDecimal value) {
        return value == null ? "?" : value.stripTrailingZeros().toPlainString();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * What a line is about: a token meter (model family, version or '', deployment type, token class) or, for a meter
     * Tollgate does not read, its raw name.
     */
    private record Key(String resource, LocalDate day, String family, String version, String deploymentType,
                       Component tokenClass, String rawMeter) {
    }

    /** A line as it adds up: the bill's side, Tollgate's side. */
    private static final class Line {
        final Key key;
        final Set<String> meters = new LinkedHashSet<>();
        final Map<Long, AppliedPrice> prices = new LinkedHashMap<>();
        boolean billed;
        BigDecimal azureQuantity = BigDecimal.ZERO;
        BigDecimal azureCost = BigDecimal.ZERO;
        long tollgateQuantity;
        long unpricedTokens;
        BigDecimal tollgateCost = BigDecimal.ZERO;
        String note;

        Line(Key key) {
            this.key = key;
        }
    }
}
