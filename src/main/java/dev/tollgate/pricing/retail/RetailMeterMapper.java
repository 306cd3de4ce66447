package dev.tollgate.pricing.retail;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceRow;
import dev.tollgate.pricing.retail.MeterNames.Component;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns Retail Prices API items into price rows: one row per model family, version, deployment type, region and
 * start, with the input, cached-input and output prices per 1M tokens of the meters that make it up. Everything else
 * is reported as an {@link UnmappedMeter} with the reason. A pure function of the items, in any order, over all
 * pages together (a model's input and output meters may come on different pages).
 * <p>
 * Meters of one model usually share their start, but not always: cached-input meters were added months after the
 * input and output ones of the same model. So the rows are built at every start any of a model's meters has, each
 * with the prices in force on that day: a model priced from 2024-08-01 whose cached-input price starts on
 * 2024-10-01 gets a row from 2024-08-01 without a cached price (cached input priced as input, as it was billed) and
 * one from 2024-10-01 with it. When all three meters share their start this is exactly one row per start.
 */
public final class RetailMeterMapper {

    /** The {@link PriceRow#source()} of imported rows. */
    public static final String SOURCE = "retail-prices-api";

    /** Only pay-as-you-go prices: not DevTestConsumption, nor Reservation. */
    static final String CONSUMPTION = "Consumption";

    private static final BigDecimal ONE_MILLION = BigDecimal.valueOf(1_000_000);
    private static final Pattern TOKEN_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([km])?\\s*(tokens?)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private RetailMeterMapper() {
    }

    /** What a set of items made: price rows, and the items that made none. */
    public record RetailMapping(List<PriceRow> rows, List<UnmappedMeter> unmapped) {

        public RetailMapping {
            rows = List.copyOf(rows);
            unmapped = List.copyOf(unmapped);
        }
    }

    /** The price identity rows are kept by, less the start. */
    private record Key(String family, Optional<String> version, DeploymentType deploymentType, Optional<String> region,
                       String currency) {

        String describe() {
            return family + " " + version.orElse("(any version)") + " " + deploymentType + " "
                    + region.orElse("(any region)") + " " + currency;
        }
    }

    /** What one item is: a priced meter, or skipped. */
    private sealed interface Classified permits MeterPrice, Skipped {
    }

    /** One priced meter, before it is combined with the others of its model. */
    private record MeterPrice(RetailPriceItem item, Key key, Component component, BigDecimal per1m,
                              Instant effectiveFrom) implements Classified {
    }

    private record Skipped(UnmappedMeter meter) implements Classified {
    }

    public static RetailMapping map(List<RetailPriceItem> items) {
        List<UnmappedMeter> unmapped = new ArrayList<>();
        Map<Key, List<MeterPrice>> byKey = new LinkedHashMap<>();
        for (RetailPriceItem item : items) {
            Classified classified = classify(item);
            if (classified instanceof Skipped skipped) {
                unmapped.add(skipped.meter);
            } else if (classified instanceof MeterPrice price) {
                byKey.computeIfAbsent(price.key, key -> new ArrayList<>()).add(price);
            }
        }
        List<PriceRow> rows = new ArrayList<>();
        byKey.forEach((key, prices) -> combine(key, prices, rows, unmapped));
        rows.sort(Comparator.comparing(PriceRow::model)
                .thenComparing(row -> row.modelVersion().orElse(""))
                .thenComparing(PriceRow::deploymentType)
                .thenComparing(row -> row.region().orElse(""))
                .thenComparing(PriceRow::currency)
                .thenComparing(PriceRow::effectiveFrom));
        return new RetailMapping(rows, unmapped);
    }

    /** The item's {@link MeterPrice}, or the {@link UnmappedMeter} saying why it has none. */
    private static Classified classify(RetailPriceItem item) {
        if (!CONSUMPTION.equals(item.type())) {
            return ignore(item, "price type '" + item.type() + "' (only " + CONSUMPTION + " prices are imported)");
        }
        if (item.tierMinimumUnits() != null && item.tierMinimumUnits().signum() > 0) {
            return ignore(item, "volume tier from " + item.tierMinimumUnits().toPlainString()
                    + " units (only the first tier is imported)");
        }
        String skuName = item.skuName() == null ? "" : item.skuName();
        String meterName = item.meterName() == null ? "" : item.meterName();
        Optional<String> ignored = MeterNames.ignoredReason(skuName, meterName);
        if (ignored.isPresent()) {
            return ignore(item, ignored.get());
        }
        Optional<BigDecimal> factor = perMillionFactor(item.unitOfMeasure());
        if (factor.isEmpty()) {
            return ignore(item, "not priced per tokens (unit '" + item.unitOfMeasure() + "')");
        }
        if (item.retailPrice() == null || item.retailPrice().signum() < 0) {
            return reject(item, "no usable retailPrice (" + item.retailPrice() + ")");
        }
        if (item.currencyCode() == null || !CURRENCY.matcher(item.currencyCode()).matches()) {
            return reject(item, "no usable currencyCode ('" + item.currencyCode() + "')");
        }
        Optional<Instant> effectiveFrom = instant(item.effectiveStartDate());
        if (effectiveFrom.isEmpty()) {
            return reject(item, "no usable effectiveStartDate ('" + item.effectiveStartDate() + "')");
        }
        String name = skuName.isBlank() ? meterName : skuName;
        MeterNames.Result result = MeterNames.parse(name, effectiveFrom.get().atOffset(ZoneOffset.UTC).toLocalDate());
        if (result instanceof MeterNames.Rejected rejected) {
            return reject(item, "name '" + name + "': " + rejected.reason());
        }
        MeterNames.Name parsed = ((MeterNames.Parsed) result).name();
        Key key = new Key(parsed.family(), parsed.version(), parsed.deploymentType(), region(item.armRegionName()),
                item.currencyCode());
        return new MeterPrice(item, key, parsed.component(), normalise(item.retailPrice().multiply(factor.get())),
                effectiveFrom.get());
    }

    private static Skipped ignore(RetailPriceItem item, String reason) {
        return new Skipped(UnmappedMeter.ignored(item, reason));
    }

    private static Skipped reject(RetailPriceItem item, String reason) {
        return new Skipped(UnmappedMeter.unrecognised(item, reason));
    }

    /** Rows of one model, version, deployment type and region, at every start of its meters. */
    private static void combine(Key key, List<MeterPrice> prices, List<PriceRow> rows, List<UnmappedMeter> unmapped) {
        Map<Component, TreeMap<Instant, List<MeterPrice>>> byComponent = new EnumMap<>(Component.class);
        for (MeterPrice price : prices) {
            byComponent.computeIfAbsent(price.component, component -> new TreeMap<>())
                    .computeIfAbsent(price.effectiveFrom, from -> new ArrayList<>()).add(price);
        }
        // Two meters for the same price at the same start must agree; if they do not, neither is believed.
        for (Map.Entry<Component, TreeMap<Instant, List<MeterPrice>>> component : byComponent.entrySet()) {
            component.getValue().values().removeIf(same -> {
                Set<BigDecimal> distinct = same.stream().map(MeterPrice::per1m)
                        .collect(Collectors.toCollection(() -> new TreeSet<>(BigDecimal::compareTo)));
                if (distinct.size() == 1) {
                    return false;
                }
                String reason = "conflicting " + component.getKey().label + " prices for " + key.describe()
                        + " from " + same.get(0).effectiveFrom + ": " + distinct.stream()
                        .map(BigDecimal::toPlainString).collect(Collectors.joining(", ")) + " per 1M";
                same.forEach(price -> unmapped.add(UnmappedMeter.unrecognised(price.item, reason)));
                return true;
            });
        }
        boolean freeOutput = MeterNames.isEmbedding(key.family) && !byComponent.containsKey(Component.OUTPUT);
        Set<MeterPrice> used = Collections.newSetFromMap(new IdentityHashMap<>());
        TreeSet<Instant> starts = new TreeSet<>();
        byComponent.values().forEach(byStart -> starts.addAll(byStart.keySet()));
        for (Instant start : starts) {
            List<MeterPrice> input = inForce(byComponent, Component.INPUT, start);
            List<MeterPrice> cached = inForce(byComponent, Component.CACHED_INPUT, start);
            List<MeterPrice> output = inForce(byComponent, Component.OUTPUT, start);
            if (input.isEmpty() || output.isEmpty() && !freeOutput) {
                continue;
            }
            Set<String> meterIds = new LinkedHashSet<>();
            for (List<MeterPrice> component : List.of(input, cached, output)) {
                for (MeterPrice price : component) {
                    used.add(price);
                    if (price.item.meterId() != null && !price.item.meterId().isBlank()) {
                        meterIds.add(price.item.meterId());
                    }
                }
            }
            rows.add(new PriceRow(key.family, key.version, key.deploymentType, key.region, key.currency,
                    input.get(0).per1m,
                    cached.isEmpty() ? Optional.empty() : Optional.of(cached.get(0).per1m),
                    output.isEmpty() ? BigDecimal.ZERO : output.get(0).per1m,
                    start, Optional.empty(), SOURCE,
                    meterIds.isEmpty() ? Optional.empty() : Optional.of(String.join(",", meterIds))));
        }
        for (TreeMap<Instant, List<MeterPrice>> byStart : byComponent.values()) {
            for (List<MeterPrice> same : byStart.values()) {
                for (MeterPrice price : same) {
                    if (!used.contains(price)) {
                        List<String> missing = new ArrayList<>();
                        if (inForce(byComponent, Component.INPUT, price.effectiveFrom).isEmpty()) {
                            missing.add(Component.INPUT.label);
                        }
                        if (!freeOutput && inForce(byComponent, Component.OUTPUT, price.effectiveFrom).isEmpty()) {
                            missing.add(Component.OUTPUT.label);
                        }
                        unmapped.add(UnmappedMeter.unrecognised(price.item, "no " + String.join(" or ", missing)
                                + " price for " + key.describe() + " in force from " + price.effectiveFrom));
                    }
                }
            }
        }
    }

    /** The meters of a component whose price is in force at {@code start}: the latest that started by then. */
    private static List<MeterPrice> inForce(Map<Component, TreeMap<Instant, List<MeterPrice>>> byComponent,
                                            Component component, Instant start) {
        TreeMap<Instant, List<MeterPrice>> byStart = byComponent.get(component);
        if (byStart == null) {
            return List.of();
        }
        Map.Entry<Instant, List<MeterPrice>> entry = byStart.floorEntry(start);
        return entry == null ? List.of() : entry.getValue();
    }

    /**
     * What a price per unit of measure is multiplied by to be per 1M tokens: 1000 for {@code 1K} (or
     * {@code 1K Tokens}), 1 for {@code 1M}; empty when the unit is not a number of tokens.
     */
    static Optional<BigDecimal> perMillionFactor(String unitOfMeasure) {
        if (unitOfMeasure == null) {
            return Optional.empty();
        }
        Matcher matcher = TOKEN_UNIT.matcher(unitOfMeasure.trim());
        if (!matcher.matches() || matcher.group(2) == null && matcher.group(3) == null) {
            return Optional.empty();
        }
        BigDecimal tokens = new BigDecimal(matcher.group(1));
        if (matcher.group(2) != null) {
            tokens = tokens.multiply(matcher.group(2).equalsIgnoreCase("k") ? BigDecimal.valueOf(1000) : ONE_MILLION);
        }
        if (tokens.signum() <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(normalise(ONE_MILLION.divide(tokens)));
        } catch (ArithmeticException notExact) {
            return Optional.empty();
        }
    }

    /** Without trailing zeros, never in exponent form: 0.0025 per 1K is 2.5 per 1M, 0.01 per 1K is 10. */
    static BigDecimal normalise(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** The ARM region; empty for none or the API's "Global" pseudo-region. */
    private static Optional<String> region(String armRegionName) {
        if (armRegionName == null || armRegionName.isBlank() || armRegionName.equalsIgnoreCase("global")) {
            return Optional.empty();
        }
        return Optional.of(armRegionName.trim().toLowerCase(Locale.ROOT));
    }

    /** {@code 2024-08-01T00:00:00Z}, with an offset, without one (UTC) or a bare date (its start, UTC). */
    static Optional<Instant> instant(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String value = text.trim();
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException withoutOffset) {
            try {
                return Optional.of(LocalDateTime.parse(value).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException notDateTime) {
                try {
                    return Optional.of(LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant());
                } catch (DateTimeParseException notDate) {
                    return Optional.empty();
                }
            }
        }
    }
}
