package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static dev.tollgate.simulator.AoaiTestClient.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** The Responses API on its three routes, as JSON and as named server-sent events, over real HTTP. */
class SimulatedBackendResponsesTest extends SimulatedBackendTestBase {

    static final String V1_PATH = "/openai/v1/responses";
    static final String RESOURCE_PATH = "/openai/responses?api-version=2025-04-01-preview";
    static final String DEPLOYMENT_PATH = "/openai/deployments/gpt-4.1/responses?api-version=2025-04-01-preview";

    /** "You are helpful." (16) + "Hello there, how are you?" (25) = 41 chars -> 10 tokens, + 2 messages x 7 = 24. */
    static final String BODY = """
            {"model":"gpt-4o","instructions":"You are helpful.","input":"Hello there, how are you?"}""";

    // ---- JSON ------------------------------------------------------------------------------------------------------

    @Test
    void v1ResponseHasTheRealShapeAndChatLikeUsage() throws Exception {
        HttpResponse<String> response = client.post(V1_PATH, BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(response.headers().firstValue("x-ms-region")).hasValue("swedencentral");
        JsonNode json = parse(response.body());
        assertThat(json.get("id").asText()).matches("resp_[0-9a-f]{48}");
        assertThat(json.get("object").asText()).isEqualTo("response");
        assertThat(json.get("created_at").asLong()).isCloseTo(System.currentTimeMillis() / 1000, Offset.offset(5L));
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(json.get("error").isNull()).isTrue();
        assertThat(json.get("incomplete_details").isNull()).isTrue();
        assertThat(json.get("instructions").asText()).isEqualTo("You are helpful.");
        assertThat(json.get("parallel_tool_calls").asBoolean()).isTrue();
        assertThat(json.get("tool_choice").asText()).isEqualTo("auto");
        assertThat(json.get("tools")).isEmpty();
        assertThat(json.at("/text/format/type").asText()).isEqualTo("text");
        assertThat(json.has("choices")).isFalse();

        assertThat(json.get("output")).hasSize(1);
        JsonNode message = json.at("/output/0");
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("id").asText()).matches("msg_[0-9a-f]{48}");
        assertThat(message.get("status").asText()).isEqualTo("completed");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.get("content")).hasSize(1);
        assertThat(message.at("/content/0/type").asText()).isEqualTo("output_text");
        assertThat(message.at("/content/0/text").asText()).startsWith("Lorem ipsum ").satisfies(
                text -> assertThat(text.split(" ")).hasSize(24));
        assertThat(message.at("/content/0/annotations").isArray()).isTrue();
        assertThat(message.at("/content/0/annotations")).isEmpty();

        JsonNode usage = json.get("usage");
        assertThat(usage.get("input_tokens").asLong()).isEqualTo(24);
        assertThat(usage.at("/input_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(usage.get("output_tokens").asLong()).isEqualTo(24);
        assertThat(usage.at("/output_tokens_details/reasoning_tokens").asLong()).isZero();
        assertThat(usage.get("total_tokens").asLong()).isEqualTo(48);
        assertThat(usage.has("prompt_tokens")).isFalse();
        assertThat(backend.served()).isEqualTo(1);
    }

    @Test
    void resourceRouteTakesTheDeploymentFromModelAndCountsOnlyTextParts() throws Exception {
        // 8 + 4 = 12 chars -> 3 tokens, + 2 messages x 7 = 17; no instructions. The image part costs nothing here.
        HttpResponse<String> response = client.post(RESOURCE_PATH, """
                {"model":"gpt-4o-mini","max_output_tokens":30,"input":[
                  {"role":"user","content":[{"type":"input_text","text":"abcdefgh"},
                                            {"type":"input_image","image_url":"https://example.com/cat.png"}]},
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"abcd"}]}]}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = parse(response.body());
        assertThat(json.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(json.get("status").asText()).isEqualTo("completed");
        assertThat(json.get("max_output_tokens").asInt()).isEqualTo(30);
        assertThat(json.get("instructions").isNull()).isTrue();
        assertThat(json.at("/usage/input_tokens").asLong()).isEqualTo(17);
        assertThat(json.at("/usage/output_tokens").asLong()).isEqualTo(24); // min(30, 24)
        assertThat(json.at("/usage/total_tokens").asLong()).isEqualTo(41);
        assertThat(backend.lastRequest().path()).isEqualTo("/openai/responses");
    }

    @Test
    void deploymentRouteNamesTheDeploymentAndMaxOutputTokensCutsTheAnswer() throws Exception {
        // 400 chars -> 100 tokens + 7.
        HttpResponse<String> response = client.post(DEPLOYMENT_PATH,
                "{\"max_output_tokens\":5,\"input\":\"" + "x".repeat(400) + "\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = parse(response.body());
        assertThat(json.get("model").asText()).isEqualTo("gpt-4.1-2025-04-14");
        assertThat(json.at("/usage/input_tokens").asLong()).isEqualTo(107);
        assertThat(json.at("/usage/output_tokens").asLong()).isEqualTo(5);
        assertThat(json.at("/usage/total_tokens").asLong()).isEqualTo(112);
        assertThat(json.at("/output/0/content/0/text").asText()).isEqualTo("Lorem ipsum dolor sit amet");
        // The real service reports a cut answer as incomplete, as chat reports finish_reason "length".
        assertThat(json.get("status").asText()).isEqualTo("incomplete");
        assertThat(json.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(json.at("/output/0/status").asText()).isEqualTo("incomplete");
    }

    @Test
    void reasoningModelReportsReasoningInsideOutputTokens() throws Exception {
        JsonNode unbounded = parse(client.post(V1_PATH, BODY.replace("gpt-4o", "o3-mini")).body());

        assertThat(unbounded.get("model").asText()).isEqualTo("o3-mini-2025-01-31");
        assertThat(unbounded.at("/usage/input_tokens").asLong()).isEqualTo(24);
        assertThat(unbounded.at("/usage/output_tokens").asLong()).isEqualTo(72);
        assertThat(unbounded.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(48);
        assertThat(unbounded.at("/usage/total_tokens").asLong()).isEqualTo(96);
        assertThat(unbounded.get("output")).hasSize(2);
        assertThat(unbounded.at("/output/0/type").asText()).isEqualTo("reasoning");
        assertThat(unbounded.at("/output/0/id").asText()).startsWith("rs_");
        assertThat(unbounded.at("/output/1/type").asText()).isEqualTo("message");
        assertThat(unbounded.at("/output/1/content/0/text").asText().split(" ")).hasSize(24);

        JsonNode bounded = parse(client.post(V1_PATH,
                "{\"model\":\"o3-mini\",\"max_output_tokens\":9,\"input\":\"hi\"}").body());
        assertThat(bounded.at("/usage/output_tokens").asLong()).isEqualTo(9);
        assertThat(bounded.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(6);
        assertThat(bounded.at("/output/1/content/0/text").asText()).isEqualTo("Lorem ipsum dolor");
    }

    @Test
    void repeatedLongInputReportsCachedTokens() throws Exception {
        // 5000 chars -> 1250 tokens + 7 = 1257; rounded down to 128s = 1152.
        String body = "{\"model\":\"gpt-4o\",\"input\":\"" + "w".repeat(5000) + "\"}";

        JsonNode first = parse(client.post(V1_PATH, body).body());
        JsonNode second = parse(client.post(V1_PATH, body).body());

        assertThat(first.at("/usage/input_tokens").asLong()).isEqualTo(1257);
        assertThat(first.at("/usage/input_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(second.at("/usage/input_tokens").asLong()).isEqualTo(1257);
        assertThat(second.at("/usage/input_tokens_details/cached_tokens").asLong()).isEqualTo(1152);
    }

    @Test
    void classicRoutesRequireApiVersionButV1DoesNot() throws Exception {
        for (String path : List.of("/openai/responses", "/openai/deployments/gpt-4o/responses")) {
            HttpResponse<String> response = client.post(path, BODY);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            JsonNode error = parse(response.body()).get("error");
            assertThat(error.get("code").asText()).as(path).isEqualTo("BadRequest");
            assertThat(error.get("message").asText()).as(path).contains("api-version");
        }
        assertThat(client.post(V1_PATH, BODY).statusCode()).isEqualTo(200);
        assertThat(backend.served()).isEqualTo(1);
    }

    @Test
    void invalidRequestsAre400() throws Exception {
        List<String> paths = new ArrayList<>();
        List<String> bodies = new ArrayList<>();
        paths.add(RESOURCE_PATH); // no model to name the deployment
        bodies.add("{\"input\":\"hi\"}");
        paths.add(V1_PATH);
        bodies.add("{\"model\":\"gpt-4o\"}");
        paths.add(V1_PATH);
        bodies.add("{\"model\":\"gpt-4o\",\"input\":42}");
        paths.add(V1_PATH);
        bodies.add("{\"model\":\"gpt-4o\",\"input\":[\"not an item\"]}");
        paths.add(V1_PATH);
        bodies.add("{\"model\":\"gpt-4o\",\"input\":\"hi\",\"instructions\":{}}");
        paths.add(V1_PATH);
        bodies.add("{\"model\":\"gpt-4o\",\"input\":\"hi\",\"max_output_tokens\":0}");
        paths.add(V1_PATH);
        bodies.add("{not json");
        for (int i = 0; i < paths.size(); i++) {
            HttpResponse<String> response = client.post(paths.get(i), bodies.get(i));
            assertThat(response.statusCode()).as(bodies.get(i)).isEqualTo(400);
            assertThat(parse(response.body()).at("/error/code").asText()).as(bodies.get(i)).isEqualTo("BadRequest");
        }
        // stream_options is no Responses parameter: ignored, also without stream.
        assertThat(client.post(V1_PATH, "{\"model\":\"gpt-4o\",\"input\":\"hi\","
                + "\"stream_options\":{\"include_usage\":true}}").statusCode()).isEqualTo(200);
    }

    @Test
    void tokenBudgetExhaustionNamesResponsesCreate() throws Exception {
        backend.tokensPerMinute(50);

        HttpResponse<String> first = client.post(RESOURCE_PATH, BODY); // cost 24 + 24 = 48
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("2");
        assertThat(client.post(RESOURCE_PATH, BODY).statusCode()).isEqualTo(200); // 48 < 50: admitted

        HttpResponse<String> refused = client.post(RESOURCE_PATH, BODY);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        JsonNode error = parse(refused.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("429");
        assertThat(error.get("message").asText()).startsWith("Requests to the Responses_Create Operation under "
                + "Azure OpenAI API version 2025-04-01-preview have exceeded token rate limit");
        assertThat(parse(client.post(V1_PATH, BODY).body()).at("/error/message").asText())
                .startsWith("Requests to the Responses_Create Operation under Azure OpenAI API version v1 ");
    }

    @Test
    void failNextAppliesToResponses() throws Exception {
        backend.failNext(1, 503);

        HttpResponse<String> failed = client.post(V1_PATH, BODY);
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(parse(failed.body()).at("/error/code").asText()).isEqualTo("ServiceUnavailable");
        assertThat(client.post(V1_PATH, BODY).statusCode()).isEqualTo(200);
    }

    // ---- streaming -------------------------------------------------------------------------------------------------

    @Test
    void streamSendsNamedEventsInOrderWithUsageOnlyAtTheEnd() throws Exception {
        AoaiTestClient.Stream stream = client.stream(V1_PATH, """
                {"model":"gpt-4o","stream":true,"instructions":"You are helpful.",
                 "input":[{"role":"user","content":"Hello there, how are you?"}],
                 "stream_options":{"include_usage":false}}""");

        assertThat(stream.response().statusCode()).isEqualTo(200);
        assertThat(stream.response().headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/event-stream"));
        assertThat(stream.failure()).isNull();
        assertThat(stream.events()).doesNotContain("[DONE]");
        List<JsonNode> events = stream.jsonEvents();
        List<String> types = events.stream().map(e -> e.get("type").asText()).toList();

        List<String> expected = new ArrayList<>(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added"));
        for (int i = 0; i < 24; i++) {
            expected.add("response.output_text.delta");
        }
        expected.addAll(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"));
        assertThat(types).containsExactlyElementsOf(expected);
        assertThat(stream.eventNames()).as("every event: line names its payload's type")
                .containsExactlyElementsOf(types);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).get("sequence_number").asInt()).as("sequence_number of event " + i)
                    .isEqualTo(i);
        }

        JsonNode created = events.get(0).get("response");
        assertThat(created.get("status").asText()).isEqualTo("in_progress");
        assertThat(created.get("output")).isEmpty();
        assertThat(created.get("usage").isNull()).isTrue();
        assertThat(events.get(1).at("/response/status").asText()).isEqualTo("in_progress");

        JsonNode added = events.get(2);
        assertThat(added.get("output_index").asInt()).isZero();
        assertThat(added.at("/item/type").asText()).isEqualTo("message");
        assertThat(added.at("/item/status").asText()).isEqualTo("in_progress");
        assertThat(added.at("/item/content")).isEmpty();
        String itemId = added.at("/item/id").asText();
        assertThat(itemId).startsWith("msg_");
        assertThat(events.get(3).at("/part/type").asText()).isEqualTo("output_text");
        assertThat(events.get(3).at("/part/text").asText()).isEmpty();

        StringBuilder text = new StringBuilder();
        for (JsonNode delta : events.subList(4, 28)) {
            assertThat(delta.get("item_id").asText()).isEqualTo(itemId);
            assertThat(delta.get("output_index").asInt()).isZero();
            assertThat(delta.get("content_index").asInt()).isZero();
            text.append(delta.get("delta").asText());
        }
        assertThat(events.get(4).get("delta").asText()).isEqualTo("Lorem");
        assertThat(events.get(5).get("delta").asText()).isEqualTo(" ipsum");
        assertThat(events.get(28).get("text").asText()).isEqualTo(text.toString());
        assertThat(events.get(29).at("/part/text").asText()).isEqualTo(text.toString());
        assertThat(events.get(30).at("/item/status").asText()).isEqualTo("completed");
        assertThat(events.get(30).at("/item/content/0/text").asText()).isEqualTo(text.toString());

        JsonNode completed = events.get(31).get("response");
        assertThat(completed.get("id").asText()).isEqualTo(created.get("id").asText()).startsWith("resp_");
        assertThat(completed.get("created_at")).isEqualTo(created.get("created_at"));
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(completed.at("/output/0/id").asText()).isEqualTo(itemId);
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo(text.toString());
        assertThat(completed.at("/usage/input_tokens").asLong()).isEqualTo(24);
        assertThat(completed.at("/usage/output_tokens").asLong()).isEqualTo(24);
        assertThat(completed.at("/usage/total_tokens").asLong()).isEqualTo(48);
        assertThat(completed.at("/usage/input_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(completed.at("/usage/output_tokens_details/reasoning_tokens").asLong()).isZero();
        assertThat(events.subList(0, events.size() - 1)).allSatisfy(event -> {
            assertThat(event.has("usage")).isFalse();
            assertThat(event.path("response").path("usage").isMissingNode()
                    || event.path("response").path("usage").isNull()).isTrue();
        });

        JsonNode json = parse(client.post(V1_PATH, BODY).body());
        assertThat(text.toString()).isEqualTo(json.at("/output/0/content/0/text").asText());
        assertThat(backend.served()).isEqualTo(2);
    }

    @Test
    void streamCutByMaxOutputTokensEndsIncomplete() throws Exception {
        AoaiTestClient.Stream stream = client.stream(DEPLOYMENT_PATH,
                "{\"stream\":true,\"max_output_tokens\":3,\"input\":\"12345678\"}");

        List<JsonNode> events = stream.jsonEvents();
        assertThat(events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta")))
                .hasSize(3);
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("type").asText()).isEqualTo("response.incomplete");
        assertThat(stream.eventNames().get(events.size() - 1)).isEqualTo("response.incomplete");
        assertThat(last.at("/response/status").asText()).isEqualTo("incomplete");
        assertThat(last.at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(last.at("/response/usage/input_tokens").asLong()).isEqualTo(2 + 7);
        assertThat(last.at("/response/usage/output_tokens").asLong()).isEqualTo(3);
        assertThat(events).noneMatch(e -> e.get("type").asText().equals("response.completed"));
    }

    @Test
    void reasoningStreamAnnouncesTheReasoningItemBeforeTheMessage() throws Exception {
        AoaiTestClient.Stream stream = client.stream(V1_PATH,
                "{\"model\":\"o3-mini\",\"stream\":true,\"input\":\"hi\"}");

        List<JsonNode> events = stream.jsonEvents();
        assertThat(events.subList(0, 5)).extracting(e -> e.get("type").asText()).containsExactly(
                "response.created", "response.in_progress", "response.output_item.added",
                "response.output_item.done", "response.output_item.added");
        assertThat(events.get(2).at("/item/type").asText()).isEqualTo("reasoning");
        assertThat(events.get(2).get("output_index").asInt()).isZero();
        assertThat(events.get(4).at("/item/type").asText()).isEqualTo("message");
        assertThat(events.get(4).get("output_index").asInt()).isEqualTo(1);
        List<JsonNode> deltas = events.stream()
                .filter(e -> e.get("type").asText().equals("response.output_text.delta")).toList();
        assertThat(deltas).hasSize(24).allSatisfy(d -> assertThat(d.get("output_index").asInt()).isEqualTo(1));
        JsonNode completed = events.get(events.size() - 1);
        assertThat(completed.get("type").asText()).isEqualTo("response.completed");
        assertThat(completed.at("/response/usage/output_tokens").asLong()).isEqualTo(72);
        assertThat(completed.at("/response/usage/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(48);
    }

    @Test
    void dropStreamAfterCountsNamedEventsAndCutsBeforeCompletion() throws Exception {
        backend.dropStreamAfter(3);

        AoaiTestClient.Stream stream = client.stream(V1_PATH, "{\"model\":\"gpt-4o\",\"stream\":true,\"input\":\"hi\"}");

        assertThat(stream.response().statusCode()).isEqualTo(200);
        assertThat(stream.events()).hasSizeLessThanOrEqualTo(3);
        assertThat(stream.jsonEvents()).noneMatch(e -> e.get("type").asText().equals("response.completed"));
        assertThat(stream.failure()).as("a truncated chunked body must surface as an I/O error").isNotNull();
    }
}
