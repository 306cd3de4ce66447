package dev.tollgate.capacity;

import dev.tollgate.simulator.Simulator;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Through the gateway: pool {@code ptu-first} sends to a provisioned deployment (backend {@code ptu}, global
 * provisioned) and, when it refuses, to a pay-as-you-go one (sim-2, data zone). The provisioned one throttles; the
 * records say which target served and which refused, and the report prices each accordingly.
 */
@QuarkusTest
class CapacityGatewayTest {

    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    /** Figures as exact decimals, not the doubles JsonPath reads numbers as by default. */
    private static final JsonPathConfig EXACT = new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL);
    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Reserved or not?\"}]}";

    private final String app = "ptu-gw-" + UUID.randomUUID().toString().substring(0, 8);

    @Inject
    Simulator simulator;

    @Inject
    UsageRows rows;

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void resetBackends() {
        simulator.resetAll();
    }

    @Test
    void aThrottledProvisionedTargetSpillsToPayAsYouGoAndEachIsChargedItsOwnWay() throws Exception {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        Map<String, Object> capacity = new LinkedHashMap<>();
        capacity.put("backend", "ptu");
        capacity.put("deployment", "gpt-4o");
        capacity.put("model", "gpt-4o");
        capacity.put("deploymentType", "global-provisioned");
        capacity.put("ptu", 15);
        capacity.put("billing", "hourly");
        capacity.put("currency", "USD");
        capacity.put("amount", new BigDecimal("1"));
        capacity.put("policy", "full");
        capacity.put("effectiveFrom", hour.minus(1, ChronoUnit.DAYS).toString());
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(capacity)).post("/api/capacity/rows")
                .then().statusCode(200);

        List<Map<String, Object>> served = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            served.add(awaitRow(chat()));
        }
        simulator.backend("sim-1").throttleFor(Duration.ofSeconds(30));
        Map<String, Object> spilled = awaitRow(chat());

        for (Map<String, Object> row : served) {
            assertThat(row).containsEntry("backend_id", "ptu").containsEntry("upstream_deployment", "gpt-4o")
                    .containsEntry("deployment_type", "global-provisioned").containsEntry("spilled_from_backend", null);
            assertThat((BigDecimal) row.get("cost")).as("no per-token price").isZero();
            assertThat(row.get("price_id")).isNull();
        }
        assertThat(spilled).containsEntry("backend_id", "sim-2").containsEntry("deployment_type", "data-zone")
                .containsEntry("spilled_from_backend", "ptu").containsEntry("spilled_from_deployment", "gpt-4o")
                .containsEntry("spilled_status", 429).containsEntry("attempts", 2);
        assertThat((BigDecimal) spilled.get("cost")).as("priced pay-as-you-go").isPositive();

        Instant first = occurredAt(served.get(0)).truncatedTo(ChronoUnit.HOURS);
        Instant end = occurredAt(spilled).truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        given().auth().oauth2(ADMIN).post("/api/capacity/allocate?from=" + first + "&to=" + end).then().statusCode(200);

        BigDecimal mine = BigDecimal.ZERO;
        for (Instant h = first; h.isBefore(end); h = h.plus(1, ChronoUnit.HOURS)) {
            assertThat(allocated(h, null)).as("the hour's lines sum to 15 PTU x 1.00").isEqualByComparingTo("15");
            mine = mine.add(allocated(h, app));
        }
        assertThat(mine).isPositive();

        JsonPath capacityReport = given().auth().oauth2(READER).get("/api/capacity?from=" + first + "&to=" + end)
                .then().statusCode(200).extract().jsonPath().using(EXACT);
        Map<String, Object> total = capacityReport.getMap(
                "deployments.find { it.backend == 'ptu' && it.deployment == 'gpt-4o' }.total");
        assertThat(((Number) total.get("spilledRequests")).longValue()).isGreaterThanOrEqualTo(1);
        assertThat(new BigDecimal(total.get("cost").toString())).isEqualByComparingTo(
                BigDecimal.valueOf(15L * ChronoUnit.HOURS.between(first, end)));

        String nextDay = occurredAt(spilled).atOffset(ZoneOffset.UTC).toLocalDate().plusDays(1).toString();
        String firstDay = occurredAt(served.get(0)).atOffset(ZoneOffset.UTC).toLocalDate().toString();
        Map<String, Object> mineInReport = given().auth().oauth2(READER)
                .get("/api/chargeback?groupBy=app&from=" + firstDay + "&to=" + nextDay).then().statusCode(200)
                .extract().jsonPath().using(EXACT).getMap("rows.find { it.group.app == '" + app + "' }");
        assertThat(new BigDecimal(mineInReport.get("paygCost").toString()))
                .isEqualByComparingTo((BigDecimal) spilled.get("cost"));
        assertThat(new BigDecimal(mineInReport.get("provisionedCost").toString())).isEqualByComparingTo(mine);
        assertThat(new BigDecimal(mineInReport.get("cost").toString()))
                .isEqualByComparingTo(mine.add((BigDecimal) spilled.get("cost")));
    }

    private String chat() {
        return given().contentType("application/json").auth().oauth2(TestTokens.v1(app)).body(BODY)
                .post("/openai/deployments/ptu-first/chat/completions?api-version=2024-10-21")
                .then().statusCode(200).extract().header("x-request-id");
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), Optional::isPresent).get();
    }

    private static Instant occurredAt(Map<String, Object> row) {
        Object value = row.get("occurred_at");
        return value instanceof OffsetDateTime time ? time.toInstant() : ((java.sql.Timestamp) value).toInstant();
    }

    /** What the hour's lines of deployment ptu/gpt-4o charge the app (all lines when app is null). */
    private BigDecimal allocated(Instant hour, String appId) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select coalesce(sum(cost), 0) from "
                     + "capacity_allocation where backend_id = 'ptu' and capacity_deployment = 'gpt-4o' and hour = ? "
                     + "and (?::text is null or app_id = ?)")) {
            query.setObject(1, hour.atOffset(ZoneOffset.UTC));
            query.setString(2, appId);
            query.setString(3, appId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getBigDecimal(1);
            }
        }
    }
}
