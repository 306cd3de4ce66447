package dev.tollgate.admission;

import dev.tollgate.support.StreamingCall;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

/**
 * Admission on the request path: real requests with real tokens through the gateway to the simulated backends, rules
 * set through /api/limits, refusals and records read back from the test PostgreSQL. Each test has apps and rules of its
 * own, and deletes its rules.
 */
@QuarkusTest
class AdmissionGatewayTest {

    private static final String ADMIN = TestTokens.withRoles("admission-admin", TestTokens.ADMIN_ROLE);
    private static final String READER = TestTokens.withRoles("admission-reader", TestTokens.READER_ROLE);
    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
    private static final String EMBEDDINGS =
            "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21";
    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"How many tokens is this?\"}],"
            + "\"max_tokens\":40}";
    private static final String STREAM_BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Count these tokens.\"}],"
            + "\"max_tokens\":40,\"stream\":true}";

    @Inject
    UsageRows rows;

    @TestHTTPResource("/")
    URL gateway;

    private final List<String> rules = new ArrayList<>();

    @AfterEach
    void deleteRules() {
        rules.forEach(id -> given().auth().oauth2(ADMIN).delete("/api/limits/" + id));
        rules.clear();
    }

    @Test
    void anAppOverItsTokensPerMinuteIs429dWithAnHonestRetryAfterWhileAnotherAppIsServed() {
        String limited = unique("tpm-app");
        String other = unique("free-app");
        String rule = rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + limited + "\"},\"tokensPerMinute\":300}");
        // The rule is in force once answers carry the app's own remaining tokens (at most its 300).
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String remaining = chat(limited).then().statusCode(200).extract().header("x-ratelimit-remaining-tokens");
            return remaining != null && Long.parseLong(remaining) < 300;
        });

        Response refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            Response response = chat(limited);
            if (response.statusCode() == 429) {
                refused = response;
            } else {
                assertThat(response.statusCode()).isEqualTo(200);
                // The simulated backend has far more left than the app: the smaller count is the app's.
                assertThat(Long.parseLong(response.header("x-ratelimit-remaining-tokens"))).isBetween(0L, 300L);
            }
        }
        assertThat(refused).as("a 429 within 20 requests of ~60 tokens under a 300 TPM limit").isNotNull();
        refused.then().body("error.code", equalTo("429"))
                .body("error.message", containsString(rule)).body("error.message", containsString("300 tokens"));
        long retryAfterMs = Long.parseLong(refused.header("retry-after-ms"));
        assertThat(retryAfterMs).isBetween(1L, 60_000L);
        assertThat(Long.parseLong(refused.header("retry-after"))).isEqualTo((retryAfterMs + 999) / 1000);

        // Another app is served meanwhile, untouched by this app's limit.
        chat(other).then().statusCode(200);

        // The refusal is recorded: its status, no tokens, the rule.
        Map<String, Object> row = awaitRow(refused.header("x-request-id"));
        assertThat(row).containsEntry("status", 429).containsEntry("limited_by", rule)
                .containsEntry("app_id", limited).containsEntry("total_tokens", 0L).containsEntry("attempts", 0);
    }

    @Test
    void aPromptTheQuickEstimateOverstatesIsCountedOffTheEventLoopAndServed() {
        String app = unique("recount-app");
        rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokensPerMinute\":1000}");
        awaitInForce(app, 1000);
        // 3,000 bytes of one repeated word and 300 tokens of output: bytes / 4 puts it over the whole minute's 1,000,
        // the tokenizer's count well under. Admission recounts it on a worker; the chain goes on from there.
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "aaaa".repeat(750) + "\"}],"
                + "\"max_tokens\":300}";
        Response served = given().auth().oauth2(TestTokens.v2(app)).contentType(ContentType.JSON).body(body)
                .post(CHAT);
        served.then().statusCode(200).body("usage.total_tokens", greaterThan(0));
        assertThat(Long.parseLong(served.header("x-ratelimit-remaining-tokens"))).isBetween(0L, 1000L);
        assertThat(awaitRow(served.header("x-request-id"))).containsEntry("status", 200).containsEntry("app_id", app);
    }

    @Test
    void aCallerThatLeavesWhileItsPromptIsCountedIsRecordedAs499WithoutUsage() throws IOException {
        String app = unique("leaving-app");
        rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokensPerMinute\":125000}");
        awaitInForce(app, 125000);
        // 600,000 bytes of two words: bytes / 4 says 150,000 tokens, over the limit; the tokenizer says about 100,000,
        // under it, after tens of milliseconds of counting, long after the caller below has gone.
        byte[] body = ("{\"messages\":[{\"role\":\"user\",\"content\":\"" + "hello world ".repeat(50_000)
                + "\"}],\"max_tokens\":1}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: " + gateway.getHost() + "\r\nAuthorization: Bearer "
                    + TestTokens.v2(app) + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }
        Map<String, Object> row = await().atMost(Duration.ofSeconds(10))
                .until(() -> rows.byApp(app).stream().filter(r -> !r.get("status").equals(200)).findFirst(),
                        Optional::isPresent).get();
        // Nothing was forwarded: no tokens, no attempt, no backend.
        assertThat(row).containsEntry("status", 499).containsEntry("total_tokens", 0L).containsEntry("attempts", 0)
                .containsEntry("backend_id", null);
    }

    @Test
    void aCallerThatWaitsOutRetryAfterIsServed() {
        String app = unique("rpm-app");
        rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"requestsPerMinute\":1}");
        Response refused = await().atMost(Duration.ofSeconds(10)).until(() -> chat(app), r -> r.statusCode() == 429);
        long waitMs = Long.parseLong(refused.header("retry-after-ms"));
        // What an SDK does: wait as long as it was told (and no longer), then send again.
        Response again = await().pollDelay(Duration.ofMillis(waitMs)).atMost(Duration.ofMillis(waitMs + 5_000))
                .until(() -> chat(app), r -> true);
        again.then().statusCode(200);
    }

    @Test
    void aDeploymentOutsideTheAppsAllowedOnesIsRefusedWith403() {
        String app = unique("embeddings-only");
        String rule = rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},"
                + "\"allowedDeployments\":[\"text-embedding-3-small\"]}");
        Response refused = await().atMost(Duration.ofSeconds(10)).until(() -> chat(app), r -> r.statusCode() == 403);
        refused.then().body("error.code", equalTo("DeploymentNotAllowed"))
                .body("error.message", containsString("gpt-4o"));
        assertThat(refused.header("retry-after")).isNull();
        given().auth().oauth2(TestTokens.v2(app)).contentType(ContentType.JSON).body("{\"input\":\"allowed\"}")
                .post(EMBEDDINGS).then().statusCode(200);
        assertThat(awaitRow(refused.header("x-request-id"))).containsEntry("status", 403)
                .containsEntry("limited_by", rule);
    }

    @Test
    void aBusinessUnitsBudgetIsSharedByItsApps() {
        String unit = unique("Research");
        String spender = unique("bu-app-1");
        String sibling = unique("bu-app-2");
        String outsider = unique("other-bu-app");
        register(spender, unit);
        register(sibling, unit);
        register(outsider, unique("Sales"));
        String rule = rule("{\"subject\":{\"type\":\"businessUnit\",\"id\":\"" + unit + "\"},"
                + "\"budget\":{\"month\":\"0.01\"}}");
        // ~1/3 of a cent a request at most (40 output tokens of gpt-4o): the budget is gone within a few dozen.
        Response refused = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> chat(spender), r -> r.statusCode() == 403);
        refused.then().body("error.code", equalTo("BudgetExceeded")).body("error.message", containsString(unit))
                .body("error.message", containsString("resets at"));
        chat(sibling).then().statusCode(403).body("error.code", equalTo("BudgetExceeded"))
                .body("error.message", containsString(rule));
        chat(outsider).then().statusCode(200);
    }

    @Test
    void aStreamCountsWithItsFinalUsage() throws Exception {
        String app = unique("stream-app");
        String rule = rule("{\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokenQuota\":{\"day\":1000000},"
                + "\"tokensPerMinute\":1000000}");
        // In force once an answer carries the app's own remaining tokens; that request counts too.
        String probe = await().atMost(Duration.ofSeconds(10)).until(() -> chat(app).then().statusCode(200).extract(),
                r -> r.header("x-ratelimit-remaining-tokens") != null
                        && Long.parseLong(r.header("x-ratelimit-remaining-tokens")) < 1_000_000).header("x-request-id");
        String requestId;
        try (StreamingCall call = StreamingCall.open(URI.create(gateway + CHAT.substring(1)), TestTokens.v2(app),
                STREAM_BODY)) {
            assertThat(call.status()).isEqualTo(200);
            requestId = call.header("x-request-id");
            String data;
            do {
                data = call.nextData(); // read the stream to its end
            } while (data != null && !"[DONE]".equals(data));
        }
        long total = tokens(awaitRow(probe)) + tokens(awaitRow(requestId));
        // Spent is the records' exact usage, not the estimates (prompt + max_tokens) admission reserved for them.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(((Number) budgetLine(rule).orElseThrow().get("spent")).longValue()).isEqualTo(total));
    }

    private static long tokens(Map<String, Object> row) {
        long total = ((Number) row.get("total_tokens")).longValue();
        assertThat(total).isPositive();
        return total;
    }

    private Optional<Map<String, Object>> budgetLine(String rule) {
        List<Map<String, Object>> lines = given().auth().oauth2(READER).get("/api/budgets").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.ruleId == '" + rule + "' && it.measure == 'tokens' }");
        return lines.stream().findFirst();
    }

    private String rule(String body) {
        String id = unique("rule");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(body).put("/api/limits/" + id).then()
                .statusCode(201);
        rules.add(id);
        return id;
    }

    private static void register(String app, String businessUnit) {
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("displayName", app, "businessUnit", businessUnit, "costCenter", "CC-" + businessUnit))
                .put("/api/apps/" + app).then().statusCode(201);
    }

    /** Until answers to the app carry its own remaining tokens (the backend's are far more than the limit). */
    private static void awaitInForce(String app, long limit) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.parseLong(chat(app).then().statusCode(200).extract()
                .header("x-ratelimit-remaining-tokens")) <= limit);
    }

    private static Response chat(String app) {
        return given().auth().oauth2(TestTokens.v2(app)).contentType(ContentType.JSON).body(BODY).post(CHAT);
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), Optional::isPresent).get();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
