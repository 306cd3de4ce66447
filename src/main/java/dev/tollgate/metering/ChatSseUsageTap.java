package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Usage from a streamed chat or completions answer: each chunk names the model served, and with
 * {@code stream_options.include_usage} a last chunk with {@code "choices": []} carries the usage object. When the
 * gateway added {@code include_usage} itself, that usage-only chunk is metered and then withheld from the caller, who
 * did not ask for it: some clients index {@code choices[0]} of every chunk.
 */
final class ChatSseUsageTap extends SseUsageTap {

    private final boolean withholdUsageChunk;

    ChatSseUsageTap(ObjectMapper mapper, boolean withholdUsageChunk) {
        super(mapper);
        this.withholdUsageChunk = withholdUsageChunk;
    }

    @Override
    JsonNode usageHolder(JsonNode event) {
        return event;
    }

    @Override
    boolean passOn(JsonNode event) {
        JsonNode choices = event.path("choices");
        return !(withholdUsageChunk && choices.isArray() && choices.isEmpty());
    }

    /** Chat deltas, or completion text. */
    @Override
    void appendText(JsonNode event, StringBuilder output) {
        for (JsonNode choice : event.path("choices")) {
            JsonNode content = choice.path("delta").path("content");
            output.append(content.isTextual() ? content.asText() : choice.path("text").asText(""));
        }
    }
}
