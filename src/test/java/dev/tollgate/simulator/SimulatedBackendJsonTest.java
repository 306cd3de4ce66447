package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.UUID;

import static dev.tollgate.simulator.AoaiTestClient.CHAT_PATH;
import static dev.tollgate.simulator.AoaiTestClient.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** Non-streamed answers and request validation, over real HTTP. */
class SimulatedBackendJsonTest extends SimulatedBackendTestBase {

    /** "You are helpful." (16) + "Hello there, how are you?" (25) = 41 chars -> 10 tokens, + 2 messages x 7 = 24. */
    static final String CHAT_BODY = """
            {"messages":[{"role":"system","content":"You are helpful."},
                         {"role":"user","content":"Hello there, how are you?"}]}""";

    @Test
    void chatCompletionHasAzureShapeAndDeterministicUsage() throws Exception {
        HttpResponse<String> response = client.post(CHAT_PATH, CHAT_BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode json = parse(response.body());
        assertThat(json.get("id").asText()).startsWith("chatcmpl-").hasSize("chatcmpl-".length() + 29);
        assertThat(json.get("object").asText()).isEqualTo("chat.completion");
        assertThat(json.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(json.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(json.get("system_fingerprint").asText()).startsWith("fp_");
        assertThat(json.at("/prompt_filter_results/0/prompt_index").asInt()).isZero();
        assertThat(json.at("/prompt_filter_results/0/content_filter_results").isObject()).isTrue();

        JsonNode choice = json.at("/choices/0");
        assertThat(json.get("choices")).hasSize(1);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").asText().split(" ")).hasSize(24);
        assertThat(choice.get("content_filter_results").isObject()).isTrue();

        JsonNode usage = json.get("usage");
        assertThat(usage.get("prompt_tokens").asLong()).isEqualTo(24);
        assertThat(usage.get("completion_tokens").asLong()).isEqualTo(24);
        assertThat(usage.get("total_tokens").asLong()).isEqualTo(48);
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asLong()).isZero();
    }

    @Test
    void everyAnswerCarriesAzureHeaders() throws Exception {
        HttpResponse<String> response = client.post(CHAT_PATH, CHAT_BODY);

        assertThat(UUID.fromString(response.headers().firstValue("apim-request-id").orElseThrow())).isNotNull();
        assertThat(response.headers().firstValue("x-ms-region")).hasValue("swedencentral");
        assertThat(response.headers().firstValue("x-ratelimit-remaining-requests")).isPresent();
        assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("1000000");
        assertThat(response.headers().firstValue("openai-processing-ms").map(Long::parseLong)).hasValueSatisfying(
                ms -> assertThat(ms).isGreaterThanOrEqualTo(0));

        HttpResponse<String> notFound = client.post("/nope", "{}");
        assertThat(notFound.headers().firstValue("x-ms-region")).hasValue("swedencentral");
        assertThat(notFound.headers().firstValue("apim-request-id")).isPresent();
    }

    @Test
    void maxTokensCapsTheCompletionAndReportsLength() throws Exception {
        HttpResponse<String> response = client.post(CHAT_PATH,
                "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(400) + "\"}]}");

        JsonNode json = parse(response.body());
        assertThat(json.at("/usage/prompt_tokens").asLong()).isEqualTo(100 + 7);
        assertThat(json.at("/usage/completion_tokens").asLong()).isEqualTo(5);
        assertThat(json.at("/usage/total_tokens").asLong()).isEqualTo(112);
        assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("Lorem ipsum dolor sit amet");
        assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void reasoningModelCountsReasoningInsideCompletionTokens() throws Exception {
        String path = "/openai/deployments/o3-mini/chat/completions?api-version=2025-01-01-preview";

        JsonNode unbounded = parse(client.post(path, CHAT_BODY).body());
        assertThat(unbounded.get("model").asText()).isEqualTo("o3-mini-2025-01-31");
        assertThat(unbounded.at("/usage/completion_tokens").asLong()).isEqualTo(72);
        assertThat(unbounded.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(48);
        assertThat(unbounded.at("/choices/0/message/content").asText().split(" ")).hasSize(24);

        JsonNode bounded = parse(client.post(path, """
                {"max_completion_tokens":9,"messages":[{"role":"user","content":"hi"}]}""").body());
        assertThat(bounded.at("/usage/completion_tokens").asLong()).isEqualTo(9);
        assertThat(bounded.at("/usage/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(6);
        assertThat(bounded.at("/choices/0/message/content").asText()).isEqualTo("Lorem ipsum dolor");
    }

    @Test
    void unknownDeploymentServesAModelNamedLikeIt() throws Exception {
        JsonNode json = parse(client.post(
                "/openai/deployments/my-custom-gpt/chat/completions?api-version=2024-10-21", CHAT_BODY).body());
        assertThat(json.get("model").asText()).isEqualTo("my-custom-gpt");
    }

    @Test
    void legacyCompletionHasTextCompletionShape() throws Exception {
        HttpResponse<String> response = client.post(
                "/openai/deployments/gpt-4o-mini/completions?api-version=2024-10-21",
                "{\"prompt\":\"" + "a".repeat(40) + "\",\"max_tokens\":3}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = parse(response.body());
        assertThat(json.get("id").asText()).startsWith("cmpl-");
        assertThat(json.get("object").asText()).isEqualTo("text_completion");
        assertThat(json.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(json.at("/choices/0/text").asText()).isEqualTo("Lorem ipsum dolor");
        assertThat(json.at("/choices/0/index").asInt()).isZero();
        assertThat(json.at("/choices/0/logprobs").isNull()).isTrue();
        assertThat(json.at("/usage/prompt_tokens").asLong()).isEqualTo(10);
        assertThat(json.at("/usage/completion_tokens").asLong()).isEqualTo(3);
        assertThat(json.at("/usage/total_tokens").asLong()).isEqualTo(13);
    }

    @Test
    void embeddingsReturnOneShortVectorPerInput() throws Exception {
        HttpResponse<String> response = client.post(
                "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21",
                "{\"input\":[\"" + "b".repeat(40) + "\",\"" + "c".repeat(20) + "\"]}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = parse(response.body());
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.get("model").asText()).isEqualTo("text-embedding-3-small");
        assertThat(json.get("data")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode item = json.get("data").get(i);
            assertThat(item.get("object").asText()).isEqualTo("embedding");
            assertThat(item.get("index").asInt()).isEqualTo(i);
            assertThat(item.get("embedding")).hasSize(8);
        }
        assertThat(json.at("/usage/prompt_tokens").asLong()).isEqualTo(15);
        assertThat(json.at("/usage/total_tokens").asLong()).isEqualTo(15);
        assertThat(json.get("data").get(0).get("embedding")).isNotEqualTo(json.get("data").get(1).get("embedding"));
    }

    @Test
    void embeddingsHonourDimensionsAndBase64() throws Exception {
        String path = "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21";
        JsonNode floats = parse(client.post(path, "{\"input\":\"hello world\",\"dimensions\":4}").body());
        JsonNode base64 = parse(client.post(path,
                "{\"input\":\"hello world\",\"dimensions\":4,\"encoding_format\":\"base64\"}").body());

        assertThat(floats.at("/data/0/embedding")).hasSize(4);
        ByteBuffer decoded = ByteBuffer.wrap(Base64.getDecoder().decode(base64.at("/data/0/embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(decoded.remaining()).isEqualTo(16);
        for (int i = 0; i < 4; i++) {
            assertThat(decoded.getFloat()).isEqualTo((float) floats.at("/data/0/embedding/" + i).asDouble());
        }
    }

    @Test
    void contentPartsCountOnlyTheirText() throws Exception {
        JsonNode json = parse(client.post(CHAT_PATH, """
                {"messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]},
                  {"role":"assistant","content":null,"tool_calls":[]}]}""").body());

        assertThat(json.at("/usage/prompt_tokens").asLong()).isEqualTo(2 + 2 * 7);
    }

    @Test
    void preTokenizedEmbeddingInputCountsTheTokens() throws Exception {
        JsonNode json = parse(client.post(
                "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21",
                "{\"input\":[[1,2,3],[4,5]]}").body());

        assertThat(json.get("data")).hasSize(2);
        assertThat(json.at("/usage/prompt_tokens").asLong()).isEqualTo(5);
    }

    @Test
    void v1RouteTakesTheDeploymentFromTheModelField() throws Exception {
        HttpResponse<String> response = client.post("/openai/v1/chat/completions",
                "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(parse(response.body()).get("model").asText()).isEqualTo("gpt-4.1-2025-04-14");

        HttpResponse<String> embeddings = client.post("/openai/v1/embeddings",
                "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}");
        assertThat(embeddings.statusCode()).isEqualTo(200);

        HttpResponse<String> noModel = client.post("/openai/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(parse(noModel.body()).at("/error/code").asText()).isEqualTo("BadRequest");
    }

    @Test
    void wrongOrMissingApiKeyIs401InAzureErrorShape() throws Exception {
        HttpResponse<String> wrong = client.post(CHAT_PATH, CHAT_BODY, "api-key", "not-the-key");
        HttpResponse<String> missing = client.post(CHAT_PATH, CHAT_BODY, "authorization", "Bearer sim-key");

        for (HttpResponse<String> response : java.util.List.of(wrong, missing)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            JsonNode error = parse(response.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("401");
            assertThat(error.get("message").asText()).contains("invalid subscription key");
        }
        assertThat(backend.served()).isZero();
        assertThat(backend.requests()).isEqualTo(2);
    }

    @Test
    void missingApiVersionIs400() throws Exception {
        HttpResponse<String> response = client.post("/openai/deployments/gpt-4o/chat/completions", CHAT_BODY);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = parse(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("BadRequest");
        assertThat(error.get("message").asText()).contains("api-version");
    }

    @Test
    void unknownPathsAndMethodsAre404() throws Exception {
        HttpResponse<String> unknown = client.post("/openai/deployments/gpt-4o/images/generations?api-version=x", "{}");
        HttpResponse<String> get = client.send(client.request(CHAT_PATH, "")
                .GET().header("api-key", backend.apiKey()).build());

        for (HttpResponse<String> response : java.util.List.of(unknown, get)) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(parse(response.body()).toString())
                    .isEqualTo("{\"error\":{\"code\":\"404\",\"message\":\"Resource not found\"}}");
        }
    }

    @Test
    void malformedBodiesAre400BadRequest() throws Exception {
        for (String body : java.util.List.of("{not json", "[1,2]", "", "{\"messages\":[]}")) {
            HttpResponse<String> response = client.post(CHAT_PATH, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(parse(response.body()).at("/error/code").asText()).as(body).isEqualTo("BadRequest");
        }
        HttpResponse<String> streamOptionsWithoutStream = client.post(CHAT_PATH,
                "{\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(streamOptionsWithoutStream.statusCode()).isEqualTo(400);
    }

    @Test
    void lastRequestShowsWhatWasOnTheWire() throws Exception {
        client.post(CHAT_PATH, CHAT_BODY, "api-key", backend.apiKey(), "X-Custom", "one");

        RecordedRequest last = backend.lastRequest();
        assertThat(last.method()).isEqualTo("POST");
        assertThat(last.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions");
        assertThat(last.query()).isEqualTo("api-version=2024-10-21");
        assertThat(last.queryParam("api-version")).isEqualTo("2024-10-21");
        assertThat(last.header("API-KEY")).isEqualTo("sim-key");
        assertThat(last.header("x-custom")).isEqualTo("one");
        assertThat(last.hasHeader("authorization")).isFalse();
        assertThat(last.body()).isEqualTo(CHAT_BODY);
        assertThat(backend.requests()).isEqualTo(1);
        assertThat(backend.served()).isEqualTo(1);
    }
}
