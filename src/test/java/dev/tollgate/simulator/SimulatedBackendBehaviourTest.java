package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.tollgate.simulator.AoaiTestClient.CHAT_PATH;
import static dev.tollgate.simulator.AoaiTestClient.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The knobs tests use to make a backend misbehave: rate limits, injected failures, prompt caching, reset. */
class SimulatedBackendBehaviourTest extends SimulatedBackendTestBase {

    /** 41 characters -> 10 tokens + 2 x 7 = 24 prompt tokens; default completion 24; budget cost 48. */
    static final String CHAT_BODY = SimulatedBackendJsonTest.CHAT_BODY;

    @Test
    void tokenBudgetExhaustionAnswers429WithRetryAfter() throws Exception {
        backend.tokensPerMinute(100);

        HttpResponse<String> first = client.post(CHAT_PATH, CHAT_BODY);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("52");
        // Like Azure, a request is admitted while the window's count is below the limit, then charged in full.
        HttpResponse<String> second = client.post(CHAT_PATH, CHAT_BODY); // 48 < 100: admitted, now 96
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("4");
        HttpResponse<String> third = client.post(CHAT_PATH, CHAT_BODY); // 96 < 100: admitted, now 144
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("0");

        HttpResponse<String> refused = client.post(CHAT_PATH, CHAT_BODY);
        assertThat(refused.statusCode()).isEqualTo(429);
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        long retryAfterMs = Long.parseLong(refused.headers().firstValue("retry-after-ms").orElseThrow());
        assertThat(retryAfterMs).isBetween(1L, 60_000L);
        assertThat((retryAfterMs + 999) / 1000).isEqualTo(retryAfter);
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("0");
        assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        JsonNode error = parse(refused.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("429");
        assertThat(error.get("message").asText())
                .startsWith("Requests to the ChatCompletions_Create Operation under Azure OpenAI API version "
                        + "2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier.")
                .contains("Please retry after " + retryAfter + " second");
        assertThat(backend.served()).isEqualTo(3);
        assertThat(backend.requests()).isEqualTo(4);
    }

    @Test
    void embeddingsBudgetCountsOnlyThePrompt() throws Exception {
        backend.tokensPerMinute(10);
        String path = "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21";

        HttpResponse<String> response = client.post(path, "{\"input\":\"" + "z".repeat(24) + "\"}");

        assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("4");
        HttpResponse<String> second = client.post(path, "{\"input\":\"" + "z".repeat(24) + "\"}");
        assertThat(second.statusCode()).isEqualTo(200); // 6 < 10: admitted, now 12
        assertThat(client.post(path, "{\"input\":\"z\"}").statusCode()).isEqualTo(429);
        assertThat(parse(client.post(path, "{\"input\":\"z\"}").body()).at("/error/message").asText())
                .contains("Embeddings_Create");
    }

    @Test
    void throttleForAnswers429UntilTheInstantPasses() throws Exception {
        backend.throttleFor(Duration.ofSeconds(3));

        HttpResponse<String> refused = client.post(CHAT_PATH, CHAT_BODY);

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue("3");
        assertThat(Long.parseLong(refused.headers().firstValue("retry-after-ms").orElseThrow()))
                .isBetween(2_000L, 3_000L);
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("0");
        assertThat(parse(refused.body()).at("/error/code").asText()).isEqualTo("429");

        backend.throttleFor(Duration.ofMillis(150));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.post(CHAT_PATH, CHAT_BODY).statusCode() == 200);
    }

    @Test
    void failNextAnswersTheStatusThenRecovers() throws Exception {
        backend.failNext(2, 503);

        HttpResponse<String> first = client.post(CHAT_PATH, CHAT_BODY);
        HttpResponse<String> second = client.post(CHAT_PATH, CHAT_BODY);
        HttpResponse<String> third = client.post(CHAT_PATH, CHAT_BODY);

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(parse(first.body()).at("/error/code").asText()).isEqualTo("ServiceUnavailable");
        assertThat(first.headers().firstValue("x-ms-region")).hasValue("swedencentral");
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(backend.requests()).isEqualTo(3);
        assertThat(backend.served()).isEqualTo(1);
    }

    @Test
    void failNextMinusOneFailsUntilReset() throws Exception {
        backend.failNext(-1, 500);

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = client.post(CHAT_PATH, CHAT_BODY);
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(parse(response.body()).at("/error/code").asText()).isEqualTo("InternalServerError");
        }
        backend.reset();
        assertThat(client.post(CHAT_PATH, CHAT_BODY).statusCode()).isEqualTo(200);
    }

    @Test
    void failuresDoNotConsumeInvalidRequests() throws Exception {
        backend.failNext(1, 500);

        assertThat(client.post(CHAT_PATH, CHAT_BODY, "api-key", "wrong").statusCode()).isEqualTo(401);
        assertThat(client.post(CHAT_PATH, CHAT_BODY).statusCode()).isEqualTo(500);
        assertThat(client.post(CHAT_PATH, CHAT_BODY).statusCode()).isEqualTo(200);
    }

    @Test
    void repeatedLongPromptReportsCachedTokensIn128Steps() throws Exception {
        // 5000 characters -> 1250 tokens + 7 = 1257 prompt tokens; 1257 rounded down to 128s = 1152.
        String longPrompt = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "w".repeat(5000) + "\"}]}";

        JsonNode first = parse(client.post(CHAT_PATH, longPrompt).body());
        JsonNode second = parse(client.post(CHAT_PATH, longPrompt).body());

        assertThat(first.at("/usage/prompt_tokens").asLong()).isEqualTo(1257);
        assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(second.at("/usage/prompt_tokens").asLong()).isEqualTo(1257);
        assertThat(second.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(1152);

        // Another deployment has its own cache.
        JsonNode otherDeployment = parse(client.post(
                "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21", longPrompt).body());
        assertThat(otherDeployment.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isZero();
    }

    @Test
    void shortPromptsAreNeverCached() throws Exception {
        client.post(CHAT_PATH, CHAT_BODY);
        JsonNode again = parse(client.post(CHAT_PATH, CHAT_BODY).body());

        assertThat(again.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isZero();
    }

    @Test
    void firstByteDelayDelaysTheAnswer() throws Exception {
        backend.firstByteDelay(Duration.ofMillis(300));

        long start = System.nanoTime();
        HttpResponse<String> response = client.post(CHAT_PATH, CHAT_BODY);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
        assertThat(Long.parseLong(response.headers().firstValue("openai-processing-ms").orElseThrow()))
                .isGreaterThanOrEqualTo(300);
    }

    @Test
    void resetRestoresDefaultsAndClearsState() throws Exception {
        backend.tokensPerMinute(1).firstByteDelay(Duration.ofSeconds(1)).chunkDelay(Duration.ofSeconds(1))
                .dropStreamAfter(2).throttleFor(Duration.ofMinutes(1)).failNext(5, 502);
        client.post(CHAT_PATH, CHAT_BODY);

        backend.reset();

        assertThat(backend.tokensPerMinute()).isZero();
        assertThat(backend.firstByteDelay()).isEqualTo(Duration.ZERO);
        assertThat(backend.chunkDelay()).isEqualTo(Duration.ZERO);
        assertThat(backend.dropStreamAfter()).isEqualTo(-1);
        assertThat(backend.requests()).isZero();
        assertThat(backend.served()).isZero();
        assertThat(backend.lastRequest()).isNull();
        assertThat(client.post(CHAT_PATH, CHAT_BODY).statusCode()).isEqualTo(200);
    }

    @Test
    void knobsRejectNonsense() {
        assertThatThrownBy(() -> backend.failNext(1, 200)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.failNext(-2, 500)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.tokensPerMinute(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.dropStreamAfter(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backend.firstByteDelay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
