package dev.tollgate.pricing;

import dev.tollgate.simulator.Simulator;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Pricing of real requests through the gateway (the served model, the target's deployment type) and the price admin
 * API's answers to bad input.
 */
@QuarkusTest
class PricingGatewayTest {

    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"What does this cost?\"}]}";

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
    void aFallbackToALargerModelIsPricedAsTheModelThatServed() throws Exception {
        simulator.backend("sim-3").throttleFor(Duration.ofSeconds(30));
        Response response = chat("pricier-fallback");
        response.then().statusCode(200).body("model", equalTo("gpt-4o-2024-08-06"));

        Map<String, Object> row = awaitRow(response.header("x-request-id"));
        assertThat(row).containsEntry("deployment", "pricier-fallback").containsEntry("backend_id", "sim-1")
                .containsEntry("deployment_type", "global");
        Map<String, Object> price = price((Long) row.get("price_id"));
        assertThat(price).containsEntry("model", "gpt-4o").containsEntry("deployment_type", "global");
        assertThat((BigDecimal) row.get("cost")).isPositive().isEqualByComparingTo(costOf(row, price));
    }

    @Test
    void eachTargetIsPricedForItsOwnDeploymentType() throws Exception {
        Map<String, String> typeByBackend = Map.of("sim-1", "global", "sim-2", "data-zone", "sim-3", "regional");
        for (int i = 0; i < 3; i++) { // the implicit gpt-4o pool round-robins over the three
            Map<String, Object> row = awaitRow(chat("gpt-4o").then().statusCode(200).extract().header("x-request-id"));
            String type = typeByBackend.get((String) row.get("backend_id"));
            assertThat(row).containsEntry("deployment_type", type);
            Map<String, Object> price = price((Long) row.get("price_id"));
            assertThat(price).containsEntry("deployment_type", type);
            assertThat((BigDecimal) row.get("cost")).isEqualByComparingTo(costOf(row, price));
        }
    }

    @Test
    void badPriceInputIsA400InTheAoaiShapeAndChangesNothing() {
        int before = given().auth().oauth2(ADMIN).get("/api/prices").then().statusCode(200).extract().jsonPath()
                .getList("$").size();
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("[{\"model\": \"gpt-4o\",")
                .post("/api/prices").then().statusCode(400).body("error.code", equalTo("400"));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body("[]")
                .post("/api/prices").then().statusCode(400).body("error.code", equalTo("BadRequest"));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(List.of(validPrice("tg-ok"), Map.of("model", "tg-incomplete")))
                .post("/api/prices").then().statusCode(400).body("error.message", containsString("Price 1"));
        Map<String, Object> euro = validPrice("tg-euro");
        euro.put("currency", "EUR");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(euro))
                .post("/api/prices").then().statusCode(400).body("error.message", containsString("USD"));
        given().auth().oauth2(ADMIN).contentType("text/csv").body("model,currency\ngpt-4o,USD\n")
                .post("/api/prices").then().statusCode(400).body("error.message", containsString("line 2"));
        given().auth().oauth2(ADMIN).post("/api/prices/reprice?from=2026-03-01").then().statusCode(400);
        given().auth().oauth2(ADMIN).post("/api/prices/reprice?from=2026-03-01&to=soon").then().statusCode(400);

        assertThat(given().auth().oauth2(ADMIN).get("/api/prices").then().extract().jsonPath().getList("$"))
                .hasSize(before);
    }

    @Test
    void aPriceFileLoadsOnceAndOnlyAnUnusedRowCanBeRemoved() throws Exception {
        String family = "tg-file-" + UUID.randomUUID().toString().substring(0, 8);
        String csv = "model,deployment_type,currency,input_per_1m,output_per_1m,effective_from\n"
                + family + ",global,USD,1.5,6,2026-01-01\n";
        given().auth().oauth2(ADMIN).contentType("text/csv").body(csv).post("/api/prices").then().statusCode(200)
                .body("added", equalTo(1)).body("alreadyPresent", equalTo(0));
        given().auth().oauth2(ADMIN).contentType("text/csv").body(csv).post("/api/prices").then().statusCode(200)
                .body("added", equalTo(0)).body("alreadyPresent", equalTo(1));
        long id = given().auth().oauth2(ADMIN).get("/api/prices").then().extract().jsonPath()
                .getLong("find { it.model == '" + family + "' }.id");
        given().auth().oauth2(ADMIN).delete("/api/prices/" + id).then().statusCode(204);
        given().auth().oauth2(ADMIN).delete("/api/prices/" + id).then().statusCode(404).body("error.code", equalTo("404"));

        Map<String, Object> row = awaitRow(chat("gpt-4o").then().statusCode(200).extract().header("x-request-id"));
        given().auth().oauth2(ADMIN).delete("/api/prices/" + row.get("price_id")).then().statusCode(409)
                .body("error.code", equalTo("Conflict"));
    }

    private static Map<String, Object> validPrice(String model) {
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("model", model);
        price.put("deploymentType", "global");
        price.put("currency", "USD");
        price.put("inputPer1m", 1);
        price.put("outputPer1m", 2);
        price.put("effectiveFrom", "2026-01-01");
        return price;
    }

    /** (input - cached) x input + cached x cached (or input) + output x output, per 1M: the test's own arithmetic. */
    private static BigDecimal costOf(Map<String, Object> row, Map<String, Object> price) {
        long input = ((Number) row.get("input_tokens")).longValue();
        long cached = ((Number) row.get("cached_input_tokens")).longValue();
        long output = ((Number) row.get("output_tokens")).longValue();
        BigDecimal inputPrice = (BigDecimal) price.get("input_per_1m");
        BigDecimal cachedPrice = price.get("cached_input_per_1m") == null ? inputPrice
                : (BigDecimal) price.get("cached_input_per_1m");
        return inputPrice.multiply(BigDecimal.valueOf(input - cached))
                .add(cachedPrice.multiply(BigDecimal.valueOf(cached)))
                .add(((BigDecimal) price.get("output_per_1m")).multiply(BigDecimal.valueOf(output)))
                .divide(BigDecimal.valueOf(1_000_000));
    }

    private Map<String, Object> price(Long id) throws Exception {
        assertThat(id).as("a price row was applied").isNotNull();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select * from price where id = ?")) {
            query.setLong(1, id);
            try (ResultSet result = query.executeQuery()) {
                assertThat(result.next()).isTrue();
                Map<String, Object> price = new LinkedHashMap<>();
                for (int column = 1; column <= result.getMetaData().getColumnCount(); column++) {
                    price.put(result.getMetaData().getColumnName(column), result.getObject(column));
                }
                return price;
            }
        }
    }

    private Response chat(String deployment) {
        return given().contentType("application/json").auth().oauth2(TestTokens.v1("app-pricing")).body(BODY)
                .post("/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21");
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), Optional::isPresent).get();
    }
}
