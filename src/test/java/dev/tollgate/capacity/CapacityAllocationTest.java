package dev.tollgate.capacity;

import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * February 2024 of two provisioned deployments, recomputed here from the records and the capacity rows with the test's
 * own arithmetic: deployment A (gpt-4o, policy utilization) billed hourly, resized from 50 to 100 PTUs mid-month,
 * beside a monthly reservation of 100 PTUs; deployment B (gpt-4o-mini, policy full) on a yearly reservation. Three
 * apps send bursts, some of which spill from A to a pay-as-you-go deployment; most hours are idle. Backends, apps and
 * the idle owner carry a run id, so runs against the persistent test database never see each other's figures.
 */
@QuarkusTest
class CapacityAllocationTest {

    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    /** Figures as exact decimals, not the doubles JsonPath reads numbers as by default. */
    private static final JsonPathConfig EXACT = new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL);
    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final Instant FROM = Instant.parse("2024-02-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2024-03-01T00:00:00Z");
    private static final Instant RESIZED = Instant.parse("2024-02-15T12:00:00Z");
    private static final Instant YEAR = Instant.parse("2024-01-01T00:00:00Z");
    private static final BigDecimal HOURLY_RATE = new BigDecimal("1.25");
    private static final BigDecimal MONTHLY = new BigDecimal("18000.50");
    private static final BigDecimal YEARLY = new BigDecimal("60000");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String backendA = "ptua-" + run;
    private final String backendB = "ptub-" + run;
    private final String payg = "payg-" + run;
    private final String region = "r-" + run;
    private final String owner = "platform-" + run;
    private final List<String> apps = List.of("ptu-x-" + run, "ptu-y-" + run, "ptu-z-" + run);
    private final List<UsageRecord> records = new ArrayList<>();

    @Inject
    UsageWriter writer;

    @Inject
    AllocationLoop loop;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void everyAppPaysItsShareOfEachHourAndTheHoursSumToTheCapacityCostExactly() throws Exception {
        declareCapacity();
        generateTraffic();
        writer.write(records);

        JsonPath run1 = allocate();
        assertThat(run1.getLong("hours")).isGreaterThanOrEqualTo(2 * 696);
        assertReportMatchesRecomputation();
        assertEveryHourSumsToItsCost();

        JsonPath rerun = allocate();
        assertThat(rerun.getLong("changedHours")).as("a re-run changes nothing").isZero();
        assertThat(rerun.getString("costAfter")).isEqualTo(rerun.getString("costBefore"));
        assertReportMatchesRecomputation();

        // A record replayed late into an idle hour: the next background run allocates that hour again.
        markLoopCurrent();
        UsageRecord late = record(apps.get(0), backendA, "gpt-4o-ptu", DeploymentType.GLOBAL_PROVISIONED,
                "gpt-4o-2024-08-06", Instant.parse("2024-02-20T03:17:00Z"), 120_000, 0, 30_000, null);
        records.add(late);
        writer.write(List.of(late));
        List<Allocator.Result> runs = loop.catchUp();
        assertThat(runs).extracting(Allocator.Result::reason).startsWith("late-records"); // then the hour just ended, if any
        assertThat(runs.get(0).from()).isEqualTo(Instant.parse("2024-02-20T03:00:00Z"));
        assertThat(runs.get(0).changedHours()).isEqualTo(1);
        assertReportMatchesRecomputation();
        assertEveryHourSumsToItsCost();
    }

    @Test
    void badCapacityRowsAreRefusedWithTheReason() {
        Map<String, Object> row = row(backendA, "d", "gpt-4o", "global-provisioned", 10, "hourly", "1", "full",
                "2024-02-01T00:30:00Z", null);
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(row)).post("/api/capacity/rows")
                .then().statusCode(400).body("error.message", org.hamcrest.Matchers.containsString("whole UTC hours"));
        row.put("effectiveFrom", "2024-02-01");
        row.put("deploymentType", "global");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(row)).post("/api/capacity/rows")
                .then().statusCode(400).body("error.message", org.hamcrest.Matchers.containsString("provisioned"));
        row.put("deploymentType", "global-provisioned");
        row.put("model", "no-such-family");
        row.put("policy", "utilization");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(row)).post("/api/capacity/rows")
                .then().statusCode(400).body("error.message", org.hamcrest.Matchers.containsString("throughput"));
        given().auth().oauth2(READER).contentType(ContentType.JSON).body(List.of(row)).post("/api/capacity/rows")
                .then().statusCode(403);
        given().auth().oauth2(READER).get("/api/capacity?from=2024-03-01&to=2024-02-01").then().statusCode(400);
        given().auth().oauth2(ADMIN).post("/api/capacity/allocate?from=2024-02-01").then().statusCode(400)
                .body("error.code", equalTo("BadRequest"));
    }

    private void declareCapacity() {
        List<Map<String, Object>> rows = List.of(
                row(backendA, "gpt-4o-ptu", "gpt-4o", "global-provisioned", 50, "hourly", "1.25", "utilization",
                        FROM.toString(), RESIZED.toString()),
                row(backendA, "gpt-4o-ptu", "gpt-4o", "global-provisioned", 100, "hourly", "1.25", "utilization",
                        RESIZED.toString(), null),
                row(backendA, "gpt-4o-ptu", "gpt-4o", "global-provisioned", 100, "monthly", MONTHLY.toPlainString(),
                        "utilization", "2024-02-01", "2024-03-01"),
                row(backendB, "mini-ptu", "gpt-4o-mini", "data-zone-provisioned", 25, "yearly", "60000", "full",
                        "2024-01-01", "2025-01-01"));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(rows).post("/api/capacity/rows")
                .then().statusCode(200).body("added", equalTo(4));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(rows).post("/api/capacity/rows")
                .then().statusCode(200).body("added", equalTo(0)).body("alreadyPresent", equalTo(4));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(CapacityFixtures.regionalGpt4oPrice(region))).post("/api/prices")
                .then().statusCode(200);
    }

    private Map<String, Object> row(String backend, String deployment, String model, String type, int ptu,
                                    String billing, String amount, String policy, String from, String to) {
        return CapacityFixtures.capacity(backend, deployment, model, type, ptu, billing, amount, policy, owner, from, to);
    }

    /** Bursts in 40 hours: every app on both deployments, some requests large enough to fill A; spills from A. */
    private void generateTraffic() {
        Random random = new Random(run.hashCode());
        for (int burst = 0; burst < 40; burst++) {
            Instant hour = FROM.plus(random.nextInt(696), ChronoUnit.HOURS);
            for (String app : apps) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    long input = 10_000 + random.nextInt(6_000_000);
                    records.add(record(app, backendA, "gpt-4o-ptu", DeploymentType.GLOBAL_PROVISIONED,
                            "gpt-4o-2024-08-06", hour.plusSeconds(random.nextInt(3600)), input,
                            random.nextInt((int) (input / 2)), 1_000 + random.nextInt(900_000), null));
                }
                for (int i = random.nextInt(3); i > 0; i--) {
                    long input = 1_000 + random.nextInt(2_000_000);
                    records.add(record(app, backendB, "mini-ptu", DeploymentType.DATA_ZONE_PROVISIONED,
                            "gpt-4o-mini-2024-07-18", hour.plusSeconds(random.nextInt(3600)), input, 0,
                            random.nextInt(400_000), null));
                }
                if (random.nextInt(3) == 0) {
                    records.add(record(app, payg, "gpt-4o", DeploymentType.REGIONAL, "gpt-4o-2024-08-06",
                            hour.plusSeconds(random.nextInt(3600)), 5_000 + random.nextInt(50_000), 1_000,
                            random.nextInt(5_000), new UsageRecord.Spill(backendA, "gpt-4o-ptu", 429)));
                }
            }
        }
    }

    private UsageRecord record(String app, String backend, String upstream, DeploymentType type, String model,
                               Instant at, long input, long cached, long output, UsageRecord.Spill spill) {
        Usage usage = new Usage(input, cached, output, 0, input + output, UsageSource.REPORTED);
        return new UsageRecord(UUID.randomUUID(), at, app, "tenant", "chat-" + run, model, backend, region, type,
                "chat/completions", false, 200, 10, spill == null ? 1 : 2, usage, null, null, false, null, upstream,
                spill);
    }

    private JsonPath allocate() {
        return given().auth().oauth2(ADMIN).post("/api/capacity/allocate?from=" + FROM + "&to=" + TO)
                .then().statusCode(200).body("reason", equalTo("admin")).extract().jsonPath().using(EXACT);
    }

    /** As if the background allocation had run just now: its next run looks only at records written after. */
    private void markLoopCurrent() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("update capacity_allocator_state set frontier = date_trunc('hour', now(), 'UTC'), "
                    + "last_seq = (select coalesce(max(seq), 0) from usage_record)");
        }
    }

    private void assertReportMatchesRecomputation() {
        Expected expected = recompute();
        JsonPath report = given().auth().oauth2(READER)
                .get("/api/chargeback?from=2024-02-01&to=2024-03-01&groupBy=app").then().statusCode(200)
                .extract().jsonPath().using(EXACT);
        for (String app : apps) {
            Map<String, Object> row = report.getMap("rows.find { it.group.app == '" + app + "' }");
            assertThat(new BigDecimal(row.get("provisionedCost").toString())).as("provisioned cost of %s", app)
                    .isEqualByComparingTo(expected.provisioned.getOrDefault(app, BigDecimal.ZERO));
            assertThat(new BigDecimal(row.get("paygCost").toString())).as("spilled cost of %s", app)
                    .isEqualByComparingTo(expected.payg.getOrDefault(app, BigDecimal.ZERO));
            assertThat(new BigDecimal(row.get("cost").toString())).isEqualByComparingTo(
                    expected.provisioned.getOrDefault(app, BigDecimal.ZERO)
                            .add(expected.payg.getOrDefault(app, BigDecimal.ZERO)));
        }
        Map<String, Object> idle = report.getMap("rows.find { it.owner == '" + owner + "' }");
        assertThat(idle.get("reason")).isEqualTo("idle provisioned capacity");
        assertThat(new BigDecimal(idle.get("provisionedCost").toString())).as("idle")
                .isEqualByComparingTo(expected.idle);
        BigDecimal billed = expected.hourCosts.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(expected.provisioned.values().stream().reduce(expected.idle, BigDecimal::add))
                .as("apps and idle together pay exactly what the capacity costs").isEqualByComparingTo(billed);
    }

    /** Every (row, hour): the allocated lines sum exactly to the hour's cost as the test computes it. */
    private void assertEveryHourSumsToItsCost() throws Exception {
        Map<String, BigDecimal> stored = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select a.backend_id, c.billing, c.ptu, a.hour, "
                     + "sum(a.cost) from capacity_allocation a join capacity c on c.id = a.capacity_id "
                     + "where a.backend_id in (?, ?) and a.hour >= ? and a.hour < ? group by 1, 2, 3, 4")) {
            query.setString(1, backendA);
            query.setString(2, backendB);
            query.setObject(3, FROM.atOffset(java.time.ZoneOffset.UTC));
            query.setObject(4, TO.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    stored.put(row.getString(1) + "/" + row.getString(2) + "/" + row.getInt(3) + "/"
                            + row.getObject(4, java.time.OffsetDateTime.class).toInstant(), row.getBigDecimal(5));
                }
            }
        }
        Map<String, BigDecimal> expected = new TreeMap<>();
        recompute().hourCosts.forEach((key, cost) -> expected.put(key, cost));
        assertThat(stored.keySet()).isEqualTo(expected.keySet());
        expected.forEach((key, cost) -> assertThat(stored.get(key)).as(key).isEqualByComparingTo(cost));
        BigDecimal monthly = expected.entrySet().stream().filter(e -> e.getKey().contains("/monthly/"))
                .map(Map.Entry::getValue).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(monthly).as("a whole month of the reservation").isEqualByComparingTo(MONTHLY);
    }

    // ---- the test's own arithmetic ---------------------------------------------------------------------------------

    private record Capacity(String backend, String billing, int ptu, BigDecimal amount, Instant from, Instant to) {
    }

    private static final class Expected {
        final Map<String, BigDecimal> provisioned = new HashMap<>();
        final Map<String, BigDecimal> payg = new HashMap<>();
        final Map<String, BigDecimal> hourCosts = new HashMap<>();
        BigDecimal idle = BigDecimal.ZERO;
    }

    private Expected recompute() {
        List<Capacity> capacity = List.of(
                new Capacity(backendA, "hourly", 50, HOURLY_RATE, FROM, RESIZED),
                new Capacity(backendA, "hourly", 100, HOURLY_RATE, RESIZED, TO),
                new Capacity(backendA, "monthly", 100, MONTHLY, FROM, TO),
                new Capacity(backendB, "yearly", 25, YEARLY, FROM, TO));
        Expected expected = new Expected();
        for (UsageRecord r : records) {
            if (r.spill() != null) { // pay-as-you-go at the regional price posted above
                long cached = r.usage().cachedInputTokens();
                BigDecimal cost = new BigDecimal("2.5").multiply(BigDecimal.valueOf(r.usage().inputTokens() - cached))
                        .add(new BigDecimal("1.25").multiply(BigDecimal.valueOf(cached)))
                        .add(BigDecimal.TEN.multiply(BigDecimal.valueOf(r.usage().outputTokens())))
                        .movePointLeft(6);
                expected.payg.merge(r.appId(), cost, BigDecimal::add);
            }
        }
        for (Instant hour = FROM; hour.isBefore(TO); hour = hour.plus(1, ChronoUnit.HOURS)) {
            for (String backend : List.of(backendA, backendB)) {
                boolean utilization = backend.equals(backendA);
                long tokensPerMinutePerPtu = utilization ? 2_500 : 37_000;
                // Lines: app, deployment, model in order, weighted (input - cached) + 3 x output for both families.
                TreeMap<String, BigDecimal> lines = new TreeMap<>();
                for (UsageRecord r : records) {
                    if (r.spill() == null && r.backendId().equals(backend)
                            && r.occurredAt().truncatedTo(ChronoUnit.HOURS).equals(hour)) {
                        BigDecimal weighted = BigDecimal.valueOf(r.usage().inputTokens() - r.usage().cachedInputTokens()
                                + 3 * r.usage().outputTokens());
                        lines.merge(r.appId() + "\u0000" + r.deployment() + "\u0000" + r.model(), weighted, BigDecimal::add);
                    }
                }
                BigDecimal used = lines.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
                int ptu = 0;
                for (Capacity c : capacity) {
                    if (c.backend.equals(backend) && !hour.isBefore(c.from) && hour.isBefore(c.to)) {
                        ptu += c.ptu;
                    }
                }
                BigDecimal hourCapacity = BigDecimal.valueOf(tokensPerMinutePerPtu * 60L * ptu);
                for (Capacity c : capacity) {
                    if (!c.backend.equals(backend) || hour.isBefore(c.from) || !hour.isBefore(c.to)) {
                        continue;
                    }
                    BigDecimal cost = hourCost(c, hour);
                    expected.hourCosts.put(backend + "/" + c.billing + "/" + c.ptu + "/" + hour, cost);
                    BigDecimal paid = used.signum() == 0 ? BigDecimal.ZERO
                            : !utilization || used.compareTo(hourCapacity) >= 0 ? cost
                            : cost.multiply(used).divide(hourCapacity, 6, RoundingMode.FLOOR);
                    expected.idle = expected.idle.add(cost.subtract(paid));
                    if (paid.signum() > 0) {
                        List<String> keys = new ArrayList<>(lines.keySet());
                        List<BigDecimal> parts = largestRemainder(paid, keys.stream().map(lines::get).toList());
                        for (int i = 0; i < keys.size(); i++) {
                            expected.provisioned.merge(keys.get(i).split("\u0000")[0], parts.get(i), BigDecimal::add);
                        }
                    }
                }
            }
        }
        return expected;
    }

    /** Hourly: rate x PTUs. Reservations: the month's (year's) amount, cumulative to the hour, in millionths, down. */
    private static BigDecimal hourCost(Capacity c, Instant hour) {
        if (c.billing.equals("hourly")) {
            return c.amount.multiply(BigDecimal.valueOf(c.ptu));
        }
        Instant start = c.billing.equals("monthly") ? FROM : YEAR;
        long hours = c.billing.equals("monthly") ? 29 * 24 : 366 * 24;
        long k = ChronoUnit.HOURS.between(start, hour);
        BigDecimal upTo = c.amount.multiply(BigDecimal.valueOf(k + 1)).divide(BigDecimal.valueOf(hours), 6, RoundingMode.FLOOR);
        BigDecimal before = c.amount.multiply(BigDecimal.valueOf(k)).divide(BigDecimal.valueOf(hours), 6, RoundingMode.FLOOR);
        return upTo.subtract(before);
    }

    /** Floors in millionths, then one millionth each to the largest remainders (earlier line first on a tie). */
    private static List<BigDecimal> largestRemainder(BigDecimal amount, List<BigDecimal> weights) {
        long units = amount.movePointRight(6).longValueExact();
        BigDecimal total = weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        long[] parts = new long[weights.size()];
        BigDecimal[] remainders = new BigDecimal[weights.size()];
        long given = 0;
        for (int i = 0; i < parts.length; i++) {
            BigDecimal exact = BigDecimal.valueOf(units).multiply(weights.get(i));
            parts[i] = exact.divide(total, 0, RoundingMode.FLOOR).longValueExact();
            remainders[i] = exact.subtract(BigDecimal.valueOf(parts[i]).multiply(total));
            given += parts[i];
        }
        for (long left = units - given; left > 0; left--) {
            int best = -1;
            for (int i = 0; i < parts.length; i++) {
                if (remainders[i] != null && (best < 0 || remainders[i].compareTo(remainders[best]) > 0)) {
                    best = i;
                }
            }
            parts[best]++;
            remainders[best] = null;
        }
        List<BigDecimal> result = new ArrayList<>();
        for (long part : parts) {
            result.add(BigDecimal.valueOf(part).movePointLeft(6));
        }
        return result;
    }
}
