package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.simulator.Simulator;
import dev.tollgate.simulator.SimulatedBackend;
import dev.tollgate.support.StreamingCall;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Real HTTP into the gateway, real HTTP from it to the simulated AOAI backends, usage read back from the real
 * PostgreSQL.
 */
@QuarkusTest
class GatewayProxyTest {

    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
    private static final String SHORT_CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about toll gates\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Simulator simulator;

    @Inject
    UsageRows rows;

    @TestHTTPResource(CHAT)
    URL chatUrl;

    @BeforeEach
    void resetBackends() {
        simulator.resetAll();
    }

    @Test
    void roundRobinSpreadsRequestsEvenlyOverAllBackends() {
        String token = TestTokens.v1("app-balance");
        for (int i = 0; i < 9; i++) {
            chat(token, SHORT_CHAT).then().statusCode(200);
        }
        for (SimulatedBackend backend : simulator.backends()) {
            assertThat(backend.requests()).as(backend.name()).isEqualTo(3);
        }
    }

    @Test
    void jsonUsageIsRecordedWithExactlyTheUpstreamNumbers() {
        Response response = chat(TestTokens.v2("app-json-usage"), SHORT_CHAT);
        response.then().statusCode(200);
        Map<String, Object> row = awaitRow(response.header("x-request-id"));

        assertThat(row).containsEntry("app_id", "app-json-usage")
                .containsEntry("tenant_id", TestTokens.TENANT)
                .containsEntry("deployment", "gpt-4o")
                .containsEntry("model", response.path("model"))
                .containsEntry("operation", "chat/completions")
                .containsEntry("stream", false)
                .containsEntry("status", 200)
                .containsEntry("usage_source", "reported")
                .containsEntry("upstream_request_id", response.header("apim-request-id"))
                .containsEntry("region", response.header("x-ms-region"));
        assertThat(row.get("backend_id")).isIn("sim-1", "sim-2", "sim-3");
        assertUsage(row, response.path("usage.prompt_tokens"), response.path("usage.prompt_tokens_details.cached_tokens"),
                response.path("usage.completion_tokens"), response.path("usage.completion_tokens_details.reasoning_tokens"),
                response.path("usage.total_tokens"));
    }

    @Test
    void cachedTokensAreRecordedApartFromInputNotAddedTwice() {
        String longPrompt = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "toll ".repeat(1200) + "\"}]}";
        String token = TestTokens.v1("app-cached");
        // The simulator caches per backend: three calls reach each of the three backends once, the next three hit.
        for (int i = 0; i < 3; i++) {
            chat(token, longPrompt).then().statusCode(200);
        }
        Response cached = chat(token, longPrompt);
        int prompt = cached.path("usage.prompt_tokens");
        int cachedTokens = cached.path("usage.prompt_tokens_details.cached_tokens");
        assertThat(cachedTokens).isPositive().isLessThanOrEqualTo(prompt);

        Map<String, Object> row = awaitRow(cached.header("x-request-id"));
        assertThat(row.get("input_tokens")).isEqualTo((long) prompt);
        assertThat(row.get("cached_input_tokens")).isEqualTo((long) cachedTokens);
        assertThat(row.get("total_tokens")).isEqualTo(((Number) cached.path("usage.total_tokens")).longValue());
    }

    @Test
    void embeddingsUsageIsRecorded() {
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-embed"))
                .body("{\"input\":[\"first text\",\"second, longer text to embed\"]}")
                .post("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
        response.then().statusCode(200);
        Map<String, Object> row = awaitRow(response.header("x-request-id"));
        assertThat(row).containsEntry("operation", "embeddings").containsEntry("usage_source", "reported");
        assertUsage(row, response.path("usage.prompt_tokens"), 0, 0, 0, response.path("usage.total_tokens"));
    }

    @Test
    void v1PathTakesTheDeploymentFromTheBody() {
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-v1-path"))
                .body("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/openai/v1/chat/completions");
        response.then().statusCode(200);
        assertThat(awaitRow(response.header("x-request-id"))).containsEntry("deployment", "gpt-4o");
        assertThat(lastRequestAnywhere().path()).isEqualTo("/openai/v1/chat/completions");
    }

    @Test
    void responsesApiUsageIsRecordedOnEveryRoute() {
        String body = "{\"model\":\"gpt-4o\",\"instructions\":\"Be brief.\",\"input\":\"What is a toll gate?\"}";
        for (String path : List.of("/openai/v1/responses", "/openai/responses?api-version=2025-04-01-preview")) {
            simulator.resetAll(); // so that the only last request is this one's
            Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-responses"))
                    .body(body).post(path);
            response.then().statusCode(200).body("object", equalTo("response"));
            assertThat(lastRequestAnywhere().path()).isEqualTo(path.replaceAll("\\?.*", ""));
            Map<String, Object> row = awaitRow(response.header("x-request-id"));
            assertThat(row).containsEntry("operation", "responses").containsEntry("usage_source", "reported")
                    .containsEntry("model", "gpt-4o-2024-08-06");
            assertUsage(row, response.path("usage.input_tokens"), response.path("usage.input_tokens_details.cached_tokens"),
                    response.path("usage.output_tokens"), response.path("usage.output_tokens_details.reasoning_tokens"),
                    response.path("usage.total_tokens"));
        }
    }

    @Test
    void streamedResponsesUsageComesFromTheCompletedEvent() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"stream\":true,\"input\":\"Stream a short answer\"}";
        URI uri = URI.create(chatUrl.toString().replace("/openai/deployments/gpt-4o/chat/completions", "/openai/v1/responses"));
        JsonNode completed = null;
        String requestId;
        try (StreamingCall call = StreamingCall.open(uri, TestTokens.v1("app-responses-stream"), body)) {
            requestId = call.header("x-request-id");
            String data;
            while ((data = call.nextData()) != null) {
                JsonNode event = JSON.readTree(data);
                if ("response.completed".equals(event.path("type").asText())) {
                    completed = event.path("response").path("usage");
                }
            }
        }
        assertThat(completed).as("the usage of response.completed").isNotNull();
        assertThat(lastRequestAnywhere().body()).as("no stream_options injected into the Responses API")
                .doesNotContain("stream_options");
        assertUsage(awaitRow(requestId), completed.path("input_tokens").asInt(), 0,
                completed.path("output_tokens").asInt(), 0, completed.path("total_tokens").asInt());
    }

    @Test
    void theBackendGetsItsOwnKeyAndNeverTheCallersCredentials() {
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-headers"))
                .header("api-key", "caller-supplied-key").header("x-ms-client-request-id", "client-123")
                .body(SHORT_CHAT).post(CHAT).then().statusCode(200);
        var upstream = lastRequestAnywhere();
        assertThat(upstream.header("api-key")).isEqualTo("sim-key");
        assertThat(upstream.hasHeader("authorization")).isFalse();
        assertThat(upstream.header("x-ms-client-request-id")).isEqualTo("client-123");
        assertThat(upstream.queryParam("api-version")).isEqualTo("2024-10-21");
    }

    @Test
    void relevantUpstreamHeadersReachTheCallerWithARequestId() {
        chat(TestTokens.v1("app-response-headers"), SHORT_CHAT).then().statusCode(200)
                .header("x-request-id", org.hamcrest.Matchers.matchesPattern("[0-9a-f-]{36}"))
                .header("apim-request-id", org.hamcrest.Matchers.notNullValue())
                .header("x-ms-region", org.hamcrest.Matchers.notNullValue())
                .header("x-ratelimit-remaining-tokens", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void streamedUsageIsMeteredAndTheInjectedUsageChunkWithheld() throws Exception {
        String token = TestTokens.v1("app-stream-injected");
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Stream me a story\"}]}";
        List<JsonNode> events = new ArrayList<>();
        String requestId;
        try (StreamingCall call = StreamingCall.open(URI.create(chatUrl.toString()), token, body)) {
            assertThat(call.status()).isEqualTo(200);
            assertThat(call.header("content-type")).startsWith("text/event-stream");
            requestId = call.header("x-request-id");
            String data;
            String last = null;
            while ((data = call.nextData()) != null) {
                last = data;
                if (!data.equals("[DONE]")) {
                    events.add(JSON.readTree(data));
                }
            }
            assertThat(last).isEqualTo("[DONE]");
        }
        assertThat(lastRequestAnywhere().body()).contains("\"include_usage\":true");
        assertThat(events).noneMatch(e -> e.path("choices").isArray() && e.path("choices").isEmpty() && e.path("usage").isObject());

        // The same request unstreamed: the simulator is deterministic, so the usage must be the same.
        Response reference = chat(token, body.replace("\"stream\":true,", ""));
        Map<String, Object> row = awaitRow(requestId);
        assertThat(row).containsEntry("stream", true).containsEntry("usage_source", "reported")
                .containsEntry("model", reference.path("model"));
        assertUsage(row, reference.path("usage.prompt_tokens"), 0, reference.path("usage.completion_tokens"), 0,
                reference.path("usage.total_tokens"));
    }

    @Test
    void aStreamOverHttp2IsMeteredAsCompleteNotAsACallerWhoLeft() throws Exception {
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Over h2c\"}]}";
        String requestId;
        try (StreamingCall call = StreamingCall.open(java.net.http.HttpClient.Version.HTTP_2,
                URI.create(chatUrl.toString()), TestTokens.v1("app-h2"), body)) {
            requestId = call.header("x-request-id");
            while (call.nextData() != null) {
                // read to the end, as a client does
            }
        }
        assertThat(awaitRow(requestId)).containsEntry("status", 200).containsEntry("usage_source", "reported");
    }

    @Test
    void aCallerWhoAskedForStreamUsageGetsTheUsageChunk() throws Exception {
        String body = "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Count to five\"}]}";
        JsonNode usage = null;
        String requestId;
        try (StreamingCall call = StreamingCall.open(URI.create(chatUrl.toString()), TestTokens.v1("app-stream-asked"), body)) {
            requestId = call.header("x-request-id");
            String data;
            while ((data = call.nextData()) != null) {
                if (!data.equals("[DONE]") && JSON.readTree(data).path("usage").isObject()) {
                    usage = JSON.readTree(data).path("usage");
                }
            }
        }
        assertThat(usage).as("the usage chunk the caller asked for").isNotNull();
        assertUsage(awaitRow(requestId), usage.path("prompt_tokens").asInt(), 0, usage.path("completion_tokens").asInt(),
                0, usage.path("total_tokens").asInt());
    }

    @Test
    void aStreamReachesTheCallerEventByEventNotAllAtTheEnd() throws Exception {
        simulator.backends().forEach(backend -> backend.chunkDelay(Duration.ofMillis(150)));
        String body = "{\"stream\":true,\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"Go slowly\"}]}";
        try (StreamingCall call = StreamingCall.open(URI.create(chatUrl.toString()), TestTokens.v1("app-chunked"), body)) {
            String requestId = call.header("x-request-id");
            String first = call.nextData();
            assertThat(first).isNotNull();
            // The usage row is written when the stream ends; 20 more events at 150 ms each are still to come.
            assertThat(rows.byId(requestId)).as("record before the stream ended").isEmpty();
            int more = 0;
            while (call.nextData() != null) {
                more++;
            }
            assertThat(more).isGreaterThan(10);
            awaitRow(requestId);
        }
    }

    @Test
    void aStreamTheBackendBreaksOffIsRecordedWithAnEstimate() throws Exception {
        simulator.backends().forEach(backend -> backend.dropStreamAfter(3));
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Break please\"}]}";
        String requestId;
        List<String> received = new ArrayList<>();
        try (StreamingCall call = StreamingCall.open(URI.create(chatUrl.toString()), TestTokens.v1("app-broken"), body)) {
            requestId = call.header("x-request-id");
            try {
                String data;
                while ((data = call.nextData()) != null) {
                    received.add(data);
                }
            } catch (IOException expected) {
                // the gateway passes the break on
            }
        }
        assertThat(received).doesNotContain("[DONE]");
        Map<String, Object> row = awaitRow(requestId);
        assertThat(row).containsEntry("status", 200).containsEntry("usage_source", "estimated")
                .containsEntry("model", "gpt-4o-2024-08-06");
        // "Break please" as a user message: 3 framing + 1 role + 2 text + 3 reply priming; "Lorem ipsum" went by.
        assertThat(row.get("input_tokens")).isEqualTo(9L);
        assertThat((Long) row.get("output_tokens")).isPositive();
        assertThat(row.get("total_tokens")).isEqualTo((Long) row.get("input_tokens") + (Long) row.get("output_tokens"));
    }

    @Test
    void aCallerWhoLeavesMidStreamIsStillRecorded() throws Exception {
        simulator.backends().forEach(backend -> backend.chunkDelay(Duration.ofMillis(200)));
        String body = "{\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Long answer please\"}]}";
        String requestId;
        try (StreamingCall call = StreamingCall.open(URI.create(chatUrl.toString()), TestTokens.v1("app-leaves"), body)) {
            requestId = call.header("x-request-id");
            assertThat(call.nextData()).isNotNull();
        }
        assertThat(awaitRow(requestId)).containsEntry("status", 499).containsEntry("stream", true)
                .containsEntry("usage_source", "estimated");
        assertThat((Long) awaitRow(requestId).get("input_tokens")).as("the prompt was consumed").isPositive();
    }

    @Test
    void whenEveryBackendThrottlesTheCallerGets429WithRetryAfter() {
        simulator.backends().forEach(backend -> backend.throttleFor(Duration.ofSeconds(7)));
        // Its own deployment: the gateway parks the throttled targets, which must not spill into other tests.
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-throttled"))
                .body(SHORT_CHAT).post("/openai/deployments/gpt-4o-throttled/chat/completions?api-version=2024-10-21");
        response.then().statusCode(429).body("error.code", equalTo("429"))
                .header("retry-after", org.hamcrest.Matchers.notNullValue());
        assertThat(awaitRow(response.header("x-request-id"))).containsEntry("status", 429)
                .containsEntry("usage_source", "none");
    }

    @Test
    void unknownDeploymentIs404AndStillRecorded() {
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-unknown"))
                .body(SHORT_CHAT).post("/openai/deployments/no-such-model/chat/completions?api-version=2024-10-21");
        response.then().statusCode(404).body("error.code", equalTo("DeploymentNotFound"))
                .body("error.message", containsString("no-such-model"));
        assertThat(awaitRow(response.header("x-request-id"))).containsEntry("status", 404)
                .containsEntry("deployment", "no-such-model").containsEntry("usage_source", "none");
    }

    @Test
    void unreachableBackendIs502WithAClearMessage() {
        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-down"))
                .body(SHORT_CHAT).post("/openai/deployments/gpt-down/chat/completions?api-version=2024-10-21");
        response.then().statusCode(502).body("error.code", equalTo("BadGateway"))
                .body("error.message", containsString("could not be reached"));
        assertThat(awaitRow(response.header("x-request-id"))).containsEntry("status", 502)
                .containsEntry("backend_id", "down");
    }

    @Test
    void malformedJsonIs400InTheAoaiShape() {
        chat(TestTokens.v1("app-malformed"), "{\"messages\": [").then().statusCode(400)
                .body("error.code", equalTo("BadRequest")).body("error.message", containsString("not valid JSON"));
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() {
        chat(TestTokens.v1("app-array"), "[1,2,3]").then().statusCode(400).body("error.code", equalTo("BadRequest"));
    }

    @Test
    void aDeploymentNameWithControlCharactersIs400AndDoesNotPoisonMetering() {
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-poison"))
                .body("{\"model\":\"gpt\\u0000x\",\"messages\":[]}").post("/openai/v1/chat/completions")
                .then().statusCode(400).body("error.code", equalTo("BadRequest"));
        Response next = chat(TestTokens.v1("app-poison"), SHORT_CHAT);
        next.then().statusCode(200);
        awaitRow(next.header("x-request-id"));
    }

    @Test
    void aBodyOverTheLimitIs413InTheAoaiShape() {
        String huge = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(21 * 1024 * 1024) + "\"}]}";
        chat(TestTokens.v1("app-huge"), huge).then().statusCode(413).body("error.code", equalTo("PayloadTooLarge"));
    }

    @Test
    void anEmptyBodyIs400() {
        chat(TestTokens.v1("app-empty"), "").then().statusCode(400).body("error.code", equalTo("BadRequest"));
    }

    @Test
    void v1PathWithoutModelIs400() {
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-no-model"))
                .body("{\"messages\":[]}").post("/openai/v1/chat/completions")
                .then().statusCode(400).body("error.message", containsString("'model'"));
    }

    @Test
    void anOperationTheGatewayDoesNotForwardIs404() {
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-images"))
                .body("{\"prompt\":\"a gate\"}").post("/openai/deployments/gpt-4o/images/generations?api-version=2024-10-21")
                .then().statusCode(404).body("error.code", equalTo("404"));
    }

    private static Response chat(String token, String body) {
        return given().contentType("application/json").auth().oauth2(token).body(body).post(CHAT);
    }

    private dev.tollgate.simulator.RecordedRequest lastRequestAnywhere() {
        return simulator.backends().stream().map(SimulatedBackend::lastRequest)
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
    }

    private Map<String, Object> awaitRow(String requestId) {
        assertThat(requestId).as("x-request-id").isNotBlank();
        return await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(requestId), java.util.Optional::isPresent).get();
    }

    private static void assertUsage(Map<String, Object> row, Object input, Object cached, Object output,
                                    Object reasoning, Object total) {
        assertThat(row.get("input_tokens")).as("input").isEqualTo(((Number) input).longValue());
        assertThat(row.get("cached_input_tokens")).as("cached").isEqualTo(((Number) cached).longValue());
        assertThat(row.get("output_tokens")).as("output").isEqualTo(((Number) output).longValue());
        assertThat(row.get("reasoning_tokens")).as("reasoning").isEqualTo(((Number) reasoning).longValue());
        assertThat(row.get("total_tokens")).as("total").isEqualTo(((Number) total).longValue());
        assertThat(((Number) total).longValue()).isPositive();
    }
}
