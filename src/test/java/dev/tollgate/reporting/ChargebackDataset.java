package dev.tollgate.reporting;

import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

/**
 * Usage records of March 2026 for a chargeback test run, with the price rows that apply to them and the test's own
 * recomputation of every cost. Model families and app ids carry a run id, so runs against the same (persistent)
 * test database never see each other's prices; record ids derive from the run id, so writing twice is a retry.
 */
final class ChargebackDataset {

    static final LocalDate FROM = LocalDate.of(2026, 3, 1);
    static final LocalDate TO = LocalDate.of(2026, 4, 1);

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String large = "tg-" + run + "-large";
    final String small = "tg-" + run + "-small";
    final String unpriced = "tg-" + run + "-unpriced";
    final String repriced = "tg-" + run + "-repriced";
    final String appA = "cb-a-" + run;
    final String appB = "cb-b-" + run;
    final String appC = "cb-c-" + run; // never registered
    final String appD = "cb-d-" + run; // its records are repriced
    final List<TestPrice> prices = new ArrayList<>();
    final List<UsageRecord> records = new ArrayList<>();

    /** A price row as the test sees it: what it posts, and what it recomputes with. */
    record TestPrice(String model, String version, DeploymentType type, String region, String input, String cached,
                     String output, Instant from, Instant to) {

        Map<String, Object> json() {
            Map<String, Object> json = new java.util.LinkedHashMap<>();
            json.put("model", model);
            json.put("modelVersion", version);
            json.put("deploymentType", type.key());
            json.put("region", region);
            json.put("currency", "USD");
            json.put("inputPer1m", new BigDecimal(input));
            json.put("cachedInputPer1m", cached == null ? null : new BigDecimal(cached));
            json.put("outputPer1m", new BigDecimal(output));
            json.put("effectiveFrom", from.toString());
            json.put("effectiveTo", to == null ? null : to.toString());
            return json;
        }
    }

    ChargebackDataset() {
        Instant start = FROM.atStartOfDay().toInstant(ZoneOffset.UTC);
        // A price change in the middle of the month.
        prices.add(new TestPrice(large, "2026-01-01", DeploymentType.GLOBAL, null, "2.50", "1.25", "10.00", start, null));
        prices.add(new TestPrice(large, "2026-01-01", DeploymentType.GLOBAL, null, "2.00", "0.50", "8.00",
                Instant.parse("2026-03-15T12:00:00Z"), null));
        // Regional in one region only, cached input at the input price.
        prices.add(new TestPrice(large, null, DeploymentType.REGIONAL, "francecentral", "2.75", null, "11.00",
                Instant.parse("2026-01-01T00:00:00Z"), null));
        prices.add(new TestPrice(small, null, DeploymentType.DATA_ZONE, null, "0.165", "0.0825", "0.66",
                Instant.parse("2026-01-01T00:00:00Z"), null));
        // Ends on the 10th: later global records of the small model are unpriced.
        prices.add(new TestPrice(small, null, DeploymentType.GLOBAL, null, "0.15", "0.075", "0.60",
                Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-03-10T00:00:00Z")));
        prices.add(new TestPrice(repriced, null, DeploymentType.GLOBAL, null, "1.00", "0.50", "4.00",
                Instant.parse("2026-01-01T00:00:00Z"), null));

        Random random = new Random(42);
        long monthSeconds = TO.atStartOfDay().toEpochSecond(ZoneOffset.UTC) - start.getEpochSecond();
        for (int i = 0; i < 400; i++) {
            Instant at = start.plusSeconds((long) (random.nextDouble() * monthSeconds)).plusNanos(random.nextInt(1000) * 1000L);
            String app = i < 360 ? List.of(appA, appB, appC).get(random.nextInt(3)) : appD;
            records.add(i < 360 ? record(i, at, app, random) : repricedRecord(i, at, app, random));
        }
        // Just before midnight UTC: the next day in Paris.
        records.add(serving(400, Instant.parse("2026-03-10T23:30:00Z"), appA, "large", large + "-2026-01-01",
                DeploymentType.GLOBAL, "swedencentral", new Usage(1000, 0, 100, 0, 1100, UsageSource.REPORTED)));
    }

    private UsageRecord record(int i, Instant at, String app, Random random) {
        Usage usage = usage(random);
        return switch (random.nextInt(9)) {
            case 0 -> serving(i, at, app, "large", large + "-2026-01-01", DeploymentType.GLOBAL, "swedencentral", usage);
            // A fallback: the small deployment was asked for, the large model served (and is what is priced).
            case 1 -> serving(i, at, app, "small", large + "-2026-01-01", DeploymentType.GLOBAL, "eastus2", usage);
            case 2 -> serving(i, at, app, "large", large + "-2026-01-01", DeploymentType.REGIONAL, "francecentral", usage);
            case 3 -> serving(i, at, app, "large", large + "-2026-01-01", DeploymentType.REGIONAL, "westeurope", usage);
            case 4 -> serving(i, at, app, "small", small, DeploymentType.DATA_ZONE, "swedencentral", usage);
            case 5 -> serving(i, at, app, "small", small, DeploymentType.GLOBAL, "swedencentral", usage);
            case 6 -> serving(i, at, app, "mystery", unpriced + "-2026-02-02", DeploymentType.GLOBAL, "swedencentral", usage);
            // Throttled before any backend answered: no model, no tokens.
            case 7 -> new UsageRecord(id(i), at, app, "tenant", "large", null, null, null, null, "chat/completions",
                    false, 429, 3, 0, Usage.none(), null, null);
            default -> serving(i, at, app, "large", large + "-2026-01-01", DeploymentType.GLOBAL, "swedencentral",
                    new Usage(0, 0, 0, 0, 0, UsageSource.MISSING));
        };
    }

    private UsageRecord repricedRecord(int i, Instant at, String app, Random random) {
        return serving(i, at, app, "repriced", repriced, DeploymentType.GLOBAL, "swedencentral", usage(random));
    }

    private static Usage usage(Random random) {
        long input = 10 + random.nextInt(5000);
        long cached = random.nextBoolean() ? 0 : random.nextInt((int) input + 1);
        long output = random.nextInt(2000);
        long reasoning = random.nextInt(4) == 0 ? random.nextInt((int) output + 1) : 0;
        UsageSource source = random.nextInt(5) == 0 ? UsageSource.ESTIMATED : UsageSource.REPORTED;
        return new Usage(input, cached, output, reasoning, input + output, source);
    }

    private UsageRecord serving(int i, Instant at, String app, String deployment, String model, DeploymentType type,
                                String region, Usage usage) {
        return new UsageRecord(id(i), at, app, "tenant", deployment, model, "backend-" + region, region, type,
                "chat/completions", i % 2 == 0, 200, 40, 1, usage, null, null);
    }

    private UUID id(int i) {
        return UUID.nameUUIDFromBytes((run + "/" + i).getBytes(StandardCharsets.UTF_8));
    }

    /** The test's own answer: the price row in force for the record, if any. */
    Optional<TestPrice> priceOf(UsageRecord record) {
        if (record.model() == null) {
            return Optional.empty();
        }
        String served = record.model();
        String family = served.replaceAll("-\\d{4}-\\d{2}-\\d{2}$", "");
        String version = family.equals(served) ? null : served.substring(family.length() + 1);
        return prices.stream()
                .filter(p -> p.model().equals(family) && p.type() == record.deploymentType())
                .filter(p -> p.version() == null || p.version().equals(version))
                .filter(p -> p.region() == null || p.region().equals(record.region()))
                .filter(p -> !record.occurredAt().isBefore(p.from()) && (p.to() == null || record.occurredAt().isBefore(p.to())))
                .max(Comparator.<TestPrice>comparingInt(p -> (p.version() != null ? 2 : 0) + (p.region() != null ? 1 : 0))
                        .thenComparing(TestPrice::from));
    }

    /** The record's cost by the test's own arithmetic; null when it has tokens and no price. */
    BigDecimal costOf(UsageRecord record) {
        Usage u = record.usage();
        Optional<TestPrice> price = priceOf(record);
        if (price.isEmpty()) {
            return u.inputTokens() == 0 && u.outputTokens() == 0 ? BigDecimal.ZERO : null;
        }
        TestPrice p = price.get();
        BigDecimal cachedPrice = new BigDecimal(p.cached() != null ? p.cached() : p.input());
        return new BigDecimal(p.input()).multiply(BigDecimal.valueOf(u.inputTokens() - u.cachedInputTokens()))
                .add(cachedPrice.multiply(BigDecimal.valueOf(u.cachedInputTokens())))
                .add(new BigDecimal(p.output()).multiply(BigDecimal.valueOf(u.outputTokens())))
                .divide(BigDecimal.valueOf(1_000_000));
    }

    /** The local day of a record in a zone, as the report writes it. */
    static String day(UsageRecord record, ZoneId zone) {
        return record.occurredAt().atZone(zone).toLocalDate().toString();
    }
}
