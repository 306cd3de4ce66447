package dev.tollgate.capacity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FOCUS export of two days with provisioned capacity (an hourly line of 10 PTUs at 2.00 and a monthly reservation
 * of 20 PTUs at 7,200.00 beside it, policy utilization, so some of each hour is idle) and a request that spilled to
 * pay-as-you-go: its effective cost adds up to the chargeback report of the same days, to the last decimal, in total,
 * per app and for the idle owner; the reservation's rows are commitments, the hourly line's on demand.
 */
@QuarkusTest
class CapacityFocusTest {

    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final String PERIOD = "from=2024-06-01&to=2024-06-03";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String backend = "ptuf-" + run;
    private final String owner = "platform-" + run;
    private final String region = "r-" + run;
    private final List<String> apps = List.of("focus-x-" + run, "focus-y-" + run);

    @Inject
    UsageWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void theExportOfProvisionedCapacityAddsUpToTheChargebackOfTheSameDays() throws Exception {
        CapacityFixtures.Frontier before = CapacityFixtures.frontier(dataSource);
        try {
            // As if the background runs stood at the first day: declaring the capacity re-allocates nothing.
            CapacityFixtures.setFrontier(dataSource, new CapacityFixtures.Frontier(
                    Instant.parse("2024-06-01T00:00:00Z"), before.lastSeq()));
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(
                            capacity(10, "hourly", "2.00", "2024-06-01", "2024-06-03"),
                            capacity(20, "monthly", "7200.00", "2024-06-01", "2024-07-01")))
                    .post("/api/capacity/rows").then().statusCode(200);
        } finally {
            CapacityFixtures.setFrontier(dataSource, before);
        }
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(CapacityFixtures.regionalGpt4oPrice(region)))
                .post("/api/prices")
                .then().statusCode(200);
        writer.write(List.of(
                record(apps.get(0), backend, DeploymentType.GLOBAL_PROVISIONED, "2024-06-01T09:10:00Z", 700_000, 90_000, null),
                record(apps.get(1), backend, DeploymentType.GLOBAL_PROVISIONED, "2024-06-01T09:40:00Z", 1_100_007, 3_331, null),
                record(apps.get(1), backend, DeploymentType.GLOBAL_PROVISIONED, "2024-06-02T14:05:00Z", 2_000_000, 777_777, null),
                record(apps.get(0), "paygf-" + run, DeploymentType.REGIONAL, "2024-06-02T14:06:00Z", 12_345, 678,
                        new UsageRecord.Spill(backend, "gpt-4o-ptu", 429))));
        given().auth().oauth2(ADMIN).post("/api/capacity/allocate?from=2024-06-01&to=2024-06-03").then().statusCode(200);

        Response export = given().auth().oauth2(READER).get("/api/chargeback/focus?format=jsonl&" + PERIOD);
        export.then().statusCode(200).header("X-Tollgate-Unpriced-Tokens", "0");
        List<JsonNode> rows = new ArrayList<>();
        for (String line : export.asString().split("\n")) {
            rows.add(JSON.readTree(line));
        }
        JsonNode chargeback = JSON.readTree(given().auth().oauth2(READER)
                .get("/api/chargeback?groupBy=app&" + PERIOD).then().statusCode(200).extract().asString());

        assertThat(sum(rows, "EffectiveCost", r -> true)).as("the whole export, as the report's total")
                .isEqualByComparingTo(chargeback.get("total").get("cost").decimalValue());
        for (String app : apps) {
            JsonNode group = find(chargeback, g -> app.equals(g.get("group").get("app").asText()));
            assertThat(sum(rows, "EffectiveCost", r -> app.equals(text(r, "x_AppId")))).as(app)
                    .isEqualByComparingTo(group.get("cost").decimalValue());
            assertThat(sum(rows, "EffectiveCost", r -> app.equals(text(r, "x_AppId"))
                    && text(r, "CapacityReservationId") != null)).as("%s, provisioned", app)
                    .isEqualByComparingTo(group.get("provisionedCost").decimalValue());
        }
        JsonNode idle = find(chargeback, g -> owner.equals(g.path("owner").asText()));
        assertThat(sum(rows, "EffectiveCost", r -> owner.equals(text(r, "x_CostCenter"))
                && "Unused".equals(text(r, "CapacityReservationStatus")))).as("idle")
                .isEqualByComparingTo(idle.get("provisionedCost").decimalValue());

        List<JsonNode> mine = rows.stream().filter(r -> backend.equals(text(r, "x_BackendId"))
                && text(r, "CapacityReservationId") != null).toList();
        // Per day and capacity row: X, Y and the idle share on day one; Y and the idle share on day two.
        assertThat(mine).hasSize(10);
        assertThat(sum(mine, "EffectiveCost", r -> true)).as("48 hours at 20.00 and 48 at 7,200.00 / 720")
                .isEqualByComparingTo("1440.00");
        Set<String> keys = new HashSet<>();
        for (JsonNode row : mine) {
            assertThat(keys.add(text(row, "ChargePeriodStart") + text(row, "CapacityReservationId")
                    + text(row, "x_AppId"))).isTrue();
            boolean used = text(row, "x_AppId") != null;
            assertThat(text(row, "CapacityReservationStatus")).isEqualTo(used ? "Used" : "Unused");
            assertThat(text(row, "ChargeCategory")).isEqualTo("Usage");
            if (text(row, "SkuId").endsWith("/monthly")) {
                assertThat(text(row, "PricingCategory")).isEqualTo("Committed");
                assertThat(row.get("BilledCost").decimalValue()).isZero();
                assertThat(text(row, "CommitmentDiscountType")).isEqualTo("Reservation");
                assertThat(text(row, "CommitmentDiscountStatus")).isEqualTo(used ? "Used" : "Unused");
            } else {
                assertThat(text(row, "PricingCategory")).isEqualTo("Standard");
                assertThat(row.get("BilledCost").decimalValue()).isEqualByComparingTo(row.get("EffectiveCost").decimalValue());
                assertThat(text(row, "CommitmentDiscountId")).isNull();
            }
            assertThat(row.get("ListUnitPrice").decimalValue().multiply(row.get("PricingQuantity").decimalValue()))
                    .isEqualByComparingTo(row.get("ListCost").decimalValue());
        }
    }

    private static BigDecimal sum(List<JsonNode> rows, String column, Predicate<JsonNode> which) {
        return rows.stream().filter(which).map(r -> r.get(column).decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static JsonNode find(JsonNode report, Predicate<JsonNode> which) {
        for (JsonNode group : report.get("rows")) {
            if (which.test(group)) {
                return group;
            }
        }
        throw new AssertionError("no such group in " + report);
    }

    private static String text(JsonNode row, String column) {
        JsonNode value = row.get(column);
        return value == null || value.isNull() ? null : value.asText();
    }

    private Map<String, Object> capacity(int ptu, String billing, String amount, String from, String to) {
        return CapacityFixtures.capacity(backend, "gpt-4o-ptu", "gpt-4o", "global-provisioned", ptu, billing, amount,
                "utilization", owner, from, to);
    }

    private UsageRecord record(String app, String target, DeploymentType type, String at, long input, long output,
                               UsageRecord.Spill spill) {
        Usage usage = new Usage(input, 0, output, 0, input + output, UsageSource.REPORTED);
        return new UsageRecord(UUID.randomUUID(), Instant.parse(at), app, "tenant", "chat-" + run, "gpt-4o-2024-08-06",
                target, region, type, "chat/completions", false, 200, 10, spill == null ? 1 : 2, usage, null, null,
                false, null, type.provisioned() ? "gpt-4o-ptu" : "gpt-4o", spill);
    }
}
