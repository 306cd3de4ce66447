package dev.tollgate.routing;

import dev.tollgate.simulator.SimulatedBackend;
import dev.tollgate.simulator.Simulator;
import dev.tollgate.support.StreamingCall;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * Balancing through the real gateway over the simulated backends, which throttle and fail on demand. Each test has
 * its own pool (see the %test pools in application.properties), so targets parked by one never affect another.
 */
@QuarkusTest
class GatewayBalancingTest {

    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Where do I pay?\"}]}";

    @Inject
    Simulator simulator;

    @Inject
    UsageRows rows;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void resetBackends() {
        simulator.resetAll();
    }

    @Test
    void weightedSharesFollowTheWeights() {
        for (int i = 0; i < 40; i++) {
            chat("weighted").then().statusCode(200);
        }
        assertThat(sim(1).requests()).isEqualTo(30);
        assertThat(sim(2).requests()).isEqualTo(10);
        assertThat(sim(3).requests()).isZero();
    }

    @Test
    void aThrottledTargetIsNeverSeenByTheCallerAndGetsNothingWhileParked() {
        sim(1).throttleFor(Duration.ofSeconds(30));
        Response failedOver = null;
        for (int i = 0; i < 12; i++) {
            Response response = chat("failover");
            response.then().statusCode(200);
            if (failedOver == null && sim(1).requests() == 1) {
                failedOver = response;
            }
        }
        assertThat(sim(1).requests()).as("one 429, then parked for its Retry-After").isEqualTo(1);
        assertThat(sim(2).requests() + sim(3).requests()).isEqualTo(12);
        Map<String, Object> row = awaitRow(failedOver.header("x-request-id"));
        assertThat(row).containsEntry("attempts", 2).containsEntry("status", 200);
        assertThat(row.get("backend_id")).isIn("sim-2", "sim-3");
    }

    @Test
    void priorityGroupsSpillOverWhenThrottledAndReturnWhenTheParkingEnds() {
        for (int i = 0; i < 4; i++) {
            chat("priority").then().statusCode(200).body("model", equalTo("gpt-4o-2024-08-06"));
        }
        assertThat(sim(2).requests()).as("the fallback group is idle while the first one is usable").isZero();

        sim(1).throttleFor(Duration.ofSeconds(2));
        // The fallback target serves a larger deployment; callers see its model, and it is what gets metered.
        Response spilled = chat("priority");
        spilled.then().statusCode(200).body("model", equalTo("gpt-4o-mini-2024-07-18"));
        assertThat(awaitRow(spilled.header("x-request-id"))).containsEntry("model", "gpt-4o-mini-2024-07-18");
        long firstGroupBefore = sim(1).requests();
        chat("priority").then().statusCode(200);
        assertThat(sim(1).requests()).as("parked: no traffic").isEqualTo(firstGroupBefore);

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Response response = chat("priority");
            return response.statusCode() == 200 && "gpt-4o-2024-08-06".equals(response.path("model"));
        });
    }

    @Test
    void whenEveryTargetIsParkedTheGatewayAnswers429WithTheSoonestRetryAfter() {
        sim(2).throttleFor(Duration.ofSeconds(20));
        sim(3).throttleFor(Duration.ofSeconds(20));
        chat("all-parked").then().statusCode(429).body("error.code", equalTo("429"))
                .header("retry-after", "20");
        long before = sim(2).requests() + sim(3).requests();

        Response parked = chat("all-parked");
        parked.then().statusCode(429);
        int retryAfter = Integer.parseInt(parked.header("retry-after"));
        assertThat(retryAfter).isBetween(1, 20);
        assertThat(sim(2).requests() + sim(3).requests()).as("parked targets are not asked again").isEqualTo(before);
        assertThat(awaitRow(parked.header("x-request-id"))).containsEntry("status", 429)
                .containsEntry("attempts", 0).containsEntry("usage_source", "none");
    }

    @Test
    void theBreakerOpensAfterConsecutiveFailuresAndClosesAfterASuccessfulTrial() {
        sim(3).failNext(-1, 500);
        for (int i = 0; i < 14; i++) {
            chat("breaker").then().statusCode(200);
        }
        assertThat(sim(3).requests()).as("five failures open the breaker; then it gets nothing").isEqualTo(5);

        sim(3).reset();
        // After the cool-down one trial goes through; it succeeds, and round-robin resumes.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
            chat("breaker").then().statusCode(200);
            return sim(3).requests() >= 3;
        });
    }

    @Test
    void aStreamFailsOverBeforeItsFirstByte() throws Exception {
        sim(1).failNext(1, 503);
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Stream after a 503\"}]}";
        URI uri = URI.create(base + "openai/deployments/stream-failover/chat/completions?api-version=2024-10-21");
        int events = 0;
        String last = null;
        String requestId;
        try (StreamingCall call = StreamingCall.open(uri, TestTokens.v1("app-stream-failover"), body)) {
            assertThat(call.status()).isEqualTo(200);
            requestId = call.header("x-request-id");
            String data;
            while ((data = call.nextData()) != null) {
                events++;
                last = data;
            }
        }
        assertThat(last).isEqualTo("[DONE]");
        assertThat(events).isGreaterThan(3);
        assertThat(awaitRow(requestId)).containsEntry("attempts", 2).containsEntry("backend_id", "sim-2")
                .containsEntry("usage_source", "reported");
    }

    @Test
    void aStreamBrokenAfterItsFirstByteIsNotRetried() throws Exception {
        simulator.backends().forEach(backend -> backend.dropStreamAfter(2));
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Break after two\"}]}";
        URI uri = URI.create(base + "openai/deployments/stream-failover/chat/completions?api-version=2024-10-21");
        try (StreamingCall call = StreamingCall.open(uri, TestTokens.v1("app-stream-broken"), body)) {
            try {
                while (call.nextData() != null) {
                    // read until the break
                }
            } catch (java.io.IOException expected) {
                // the break is passed on
            }
        }
        assertThat(sim(1).requests() + sim(2).requests()).as("one attempt only").isEqualTo(1);
    }

    @Test
    void leastLoadedPrefersTheTargetReportingMoreCapacity() {
        sim(1).tokensPerMinute(5_000);
        for (int i = 0; i < 10; i++) {
            chat("least-loaded").then().statusCode(200);
        }
        assertThat(sim(1).requests()).as("tried at most once, then it reports far less capacity").isLessThanOrEqualTo(1);
        assertThat(sim(2).requests()).isGreaterThanOrEqualTo(9);
    }

    @Test
    void aFallbackTargetGetsItsOwnDeploymentNameOnTheV1Path() {
        sim(1).throttleFor(Duration.ofSeconds(30));
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-v1-fallback"))
                .body("{\"model\":\"fallback-v1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/openai/v1/chat/completions")
                .then().statusCode(200).body("model", equalTo("gpt-4o-mini-2024-07-18"));
        assertThat(sim(2).lastRequest().body()).contains("\"model\":\"gpt-4o-mini\"");
    }

    @Test
    void aBackendSilentPastItsIdleTimeoutIs504() {
        sim(3).firstByteDelay(Duration.ofSeconds(3));
        chat("gpt-slow-idle").then().statusCode(504).body("error.code", equalTo("GatewayTimeout"));
    }

    @Test
    void anAnswerSlowerThanTheRequestTimeoutIs504() {
        sim(3).firstByteDelay(Duration.ofSeconds(3));
        chat("gpt-slow-total").then().statusCode(504).body("error.code", equalTo("GatewayTimeout"));
    }

    @Test
    void theBackendsApiShowsLiveStateToAdminsOnly() {
        sim(2).throttleFor(Duration.ofSeconds(30));
        sim(3).throttleFor(Duration.ofSeconds(30));
        chat("all-parked").then().statusCode(429);
        String admin = TestTokens.withRoles("ops-app", TestTokens.ADMIN_ROLE);
        io.restassured.path.json.JsonPath pools = given().auth().oauth2(admin).get("/api/backends")
                .then().statusCode(200).extract().jsonPath();
        assertThat(pools.getList("find { it.deployment == 'all-parked' }.targets.status", String.class))
                .containsOnly("throttled");
        assertThat(pools.getString("find { it.deployment == 'weighted' }.strategy")).isEqualTo("weighted");
        given().auth().oauth2(TestTokens.v1("nosy")).get("/api/backends").then().statusCode(403)
                .body("error.code", equalTo("403"));
    }

    @Test
    void anActiveProbeOpensTheBreakerOfADeadBackendBeforeCallersMeetIt() {
        String admin = TestTokens.withRoles("ops-app", TestTokens.ADMIN_ROLE);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
                given().auth().oauth2(admin).get("/api/backends").then().extract().jsonPath()
                        .getString("find { it.deployment == 'probed' }.targets.find { it.backend == 'down-probed' }.status")
                        .equals("breaker-open"));
        for (int i = 0; i < 4; i++) {
            Response response = chat("probed");
            response.then().statusCode(200);
            assertThat(awaitRow(response.header("x-request-id"))).as("no attempt wasted on the dead backend")
                    .containsEntry("attempts", 1).containsEntry("backend_id", "sim-1");
        }
    }

    private Response chat(String deployment) {
        return given().contentType("application/json").auth().oauth2(TestTokens.v1("app-balancing")).body(BODY)
                .post("/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21");
    }

    private SimulatedBackend sim(int n) {
        return simulator.backend("sim-" + n);
    }

    private Map<String, Object> awaitRow(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), Optional::isPresent).get();
    }
}
