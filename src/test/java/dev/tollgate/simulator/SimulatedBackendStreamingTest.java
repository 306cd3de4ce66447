package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.tollgate.simulator.AoaiTestClient.CHAT_PATH;
import static dev.tollgate.simulator.AoaiTestClient.parse;
import static org.assertj.core.api.Assertions.assertThat;

/** Server-sent event answers, read line by line over real HTTP. */
class SimulatedBackendStreamingTest extends SimulatedBackendTestBase {

    @Test
    void chatStreamFollowsAzureOrderWithoutUsageByDefault() throws Exception {
        AoaiTestClient.Stream stream = client.stream(CHAT_PATH, """
                {"stream":true,"max_tokens":3,"messages":[{"role":"user","content":"Say three words"}]}""");

        assertThat(stream.response().statusCode()).isEqualTo(200);
        assertThat(stream.response().headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("text/event-stream"));
        assertThat(stream.response().headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(stream.response().headers().firstValue("x-ms-region")).hasValue("swedencentral");
        assertThat(stream.failure()).isNull();
        // prompt filter + 3 words + finish + [DONE]
        assertThat(stream.events()).hasSize(6);
        assertThat(stream.events().get(5)).isEqualTo("[DONE]");
        assertThat(stream.eventNames()).as("chat events are bare data lines").containsOnlyNulls();

        List<JsonNode> chunks = stream.jsonEvents();
        JsonNode filter = chunks.get(0);
        assertThat(filter.get("choices")).isEmpty();
        assertThat(filter.at("/prompt_filter_results/0/prompt_index").asInt()).isZero();
        assertThat(filter.has("usage")).isFalse();

        JsonNode first = chunks.get(1);
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("id").asText()).startsWith("chatcmpl-");
        assertThat(first.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/choices/0/delta/content").asText()).isEqualTo("Lorem");
        assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(chunks.get(2).at("/choices/0/delta").has("role")).isFalse();
        assertThat(chunks.get(2).at("/choices/0/delta/content").asText()).isEqualTo(" ipsum");
        assertThat(chunks.get(3).at("/choices/0/delta/content").asText()).isEqualTo(" dolor");
        assertThat(chunks.get(2).get("id")).isEqualTo(first.get("id"));

        JsonNode finish = chunks.get(4);
        assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(chunks).noneMatch(chunk -> chunk.has("usage"));
        assertThat(backend.served()).isEqualTo(1);
    }

    @Test
    void chatStreamEndsWithUsageChunkWhenIncludeUsageIsSet() throws Exception {
        AoaiTestClient.Stream stream = client.stream(CHAT_PATH, """
                {"stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"12345678"}]}""");

        List<String> events = stream.events();
        // prompt filter + 24 words + finish + usage + [DONE]
        assertThat(events).hasSize(28);
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = stream.jsonEvents();
        JsonNode usageChunk = chunks.get(chunks.size() - 1);
        assertThat(usageChunk.get("choices")).isEmpty();
        assertThat(usageChunk.at("/usage/prompt_tokens").asLong()).isEqualTo(2 + 7);
        assertThat(usageChunk.at("/usage/completion_tokens").asLong()).isEqualTo(24);
        assertThat(usageChunk.at("/usage/total_tokens").asLong()).isEqualTo(33);
        assertThat(usageChunk.at("/usage/prompt_tokens_details/cached_tokens").asLong()).isZero();
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> {
            assertThat(chunk.has("usage")).isTrue();
            assertThat(chunk.get("usage").isNull()).isTrue();
        });
        assertThat(chunks.get(chunks.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("stop");

        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asText("")));
        JsonNode json = parse(client.post(CHAT_PATH,
                "{\"messages\":[{\"role\":\"user\",\"content\":\"12345678\"}]}").body());
        assertThat(text.toString()).isEqualTo(json.at("/choices/0/message/content").asText());
    }

    @Test
    void completionsStreamUsesTextCompletionChunks() throws Exception {
        AoaiTestClient.Stream stream = client.stream(
                "/openai/deployments/gpt-4o-mini/completions?api-version=2024-10-21",
                "{\"prompt\":\"abcdefgh\",\"max_tokens\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        List<String> events = stream.events();
        assertThat(events).hasSize(6); // filter + 2 words + finish + usage + [DONE]
        assertThat(events.get(5)).isEqualTo("[DONE]");
        List<JsonNode> chunks = stream.jsonEvents();
        assertThat(chunks.get(0).get("choices")).isEmpty();
        assertThat(chunks.get(1).get("object").asText()).isEqualTo("text_completion");
        assertThat(chunks.get(1).at("/choices/0/text").asText()).isEqualTo("Lorem");
        assertThat(chunks.get(2).at("/choices/0/text").asText()).isEqualTo(" ipsum");
        assertThat(chunks.get(3).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(chunks.get(4).at("/usage/prompt_tokens").asLong()).isEqualTo(2);
        assertThat(chunks.get(4).at("/usage/completion_tokens").asLong()).isEqualTo(2);
    }

    @Test
    void eventsArriveOneByOneWithTheChunkDelay() throws Exception {
        backend.chunkDelay(Duration.ofMillis(60));

        AoaiTestClient.Stream stream = client.stream(CHAT_PATH, """
                {"stream":true,"max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""");

        // filter + 4 words + finish + [DONE] = 7 events, 6 gaps of 60 ms: a buffered answer would arrive at once.
        // Bounds are loose because a busy test machine may read two events back to back.
        assertThat(stream.events()).hasSize(7);
        List<Long> arrivals = stream.arrivalNanos();
        long spreadMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(6) - arrivals.get(0));
        assertThat(spreadMillis).isGreaterThanOrEqualTo(200);
        long spacedGaps = java.util.stream.IntStream.range(1, arrivals.size())
                .filter(i -> TimeUnit.NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1)) >= 30)
                .count();
        assertThat(spacedGaps).isGreaterThanOrEqualTo(3);
    }

    @Test
    void dropStreamAfterCutsTheConnectionBeforeDone() throws Exception {
        backend.dropStreamAfter(3);

        AoaiTestClient.Stream stream = client.stream(CHAT_PATH, """
                {"stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"hi"}]}""");

        assertThat(stream.response().statusCode()).isEqualTo(200);
        // At most the three events before the cut: the JDK client may surface the break before it hands over the
        // last events it had buffered, so the exact count is not something a client can rely on.
        assertThat(stream.events()).hasSizeLessThanOrEqualTo(3).doesNotContain("[DONE]");
        assertThat(stream.failure()).as("a truncated chunked body must surface as an I/O error").isNotNull();

        backend.dropStreamAfter(-1);
        AoaiTestClient.Stream whole = client.stream(CHAT_PATH, """
                {"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(whole.failure()).isNull();
        assertThat(whole.events()).endsWith("[DONE]");
    }
}
