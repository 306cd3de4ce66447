package dev.tollgate.reporting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The signed-in user of delegated tokens, through the real gateway: recorded from the validated token alone (never from
 * the body's {@code user} or a header), absent for app-only tokens, and a report dimension within an app.
 */
@QuarkusTest
class PerUserReportTest {

    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

    @Inject
    UsageRows rows;

    @Inject
    ObjectMapper mapper;

    @Test
    void aDelegatedTokenRecordsItsUserAndNothingTheCallerWritesCanChangeIt() {
        String app = "app-user-" + UUID.randomUUID();
        String alice = UUID.randomUUID().toString();
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.delegated(app, alice))
                .header("x-ms-client-principal-id", "someone-else").header("x-user-id", "someone-else")
                .body("{\"user\":\"someone-else\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post(CHAT);
        response.then().statusCode(200);

        assertThat(awaitRow(response.header("x-request-id"))).containsEntry("user_id", alice);
    }

    @Test
    void appOnlyTokensRecordNoUserEvenWithAnObjectId() {
        String app = "app-only-" + UUID.randomUUID();
        for (String token : List.of(TestTokens.appOnly(app, "sp-object-id"), TestTokens.v1(app), TestTokens.v2(app))) {
            Response response = given().contentType("application/json").auth().oauth2(token)
                    .body("{\"user\":\"someone\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").post(CHAT);
            response.then().statusCode(200);
            assertThat(awaitRow(response.header("x-request-id"))).containsEntry("user_id", null);
        }
    }

    @Test
    void aReportGroupsAnAppByUserWithAppOnlyCallsApart() throws Exception {
        String app = "app-drill-" + UUID.randomUUID();
        String alice = "alice-" + UUID.randomUUID();
        String bob = "bob-" + UUID.randomUUID();
        List<String> tokens = List.of(TestTokens.delegated(app, alice), TestTokens.delegatedV1(app, alice),
                TestTokens.delegated(app, bob), TestTokens.v1(app));
        for (String token : tokens) {
            Response response = given().contentType("application/json").auth().oauth2(token)
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").post(CHAT);
            response.then().statusCode(200);
            awaitRow(response.header("x-request-id"));
        }

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        String json = given().auth().oauth2(READER)
                .get("/api/chargeback?groupBy=app,user&from=" + today.minusDays(1) + "&to=" + today.plusDays(2))
                .then().statusCode(200).extract().asString();
        Map<String, Long> requestsByUser = new HashMap<>();
        for (JsonNode row : mapper.readTree(json).get("rows")) {
            if (row.get("group").get("app").asText().equals(app)) {
                requestsByUser.put(row.get("group").get("user").asText(), row.get("requests").asLong());
            }
        }
        assertThat(requestsByUser).containsOnly(Map.entry(alice, 2L), Map.entry(bob, 1L),
                Map.entry(ChargebackGrouping.APP_ONLY, 1L));
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), java.util.Optional::isPresent)
                .get();
    }
}
