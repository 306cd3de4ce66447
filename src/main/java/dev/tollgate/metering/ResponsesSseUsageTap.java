package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Usage from a streamed Responses API answer: the response object that events such as {@code response.created} and
 * {@code response.completed} carry names the model, and on {@code response.completed} holds the usage, sent without
 * being asked for; the text comes in {@code response.output_text.delta} events. Every event is passed on.
 */
final class ResponsesSseUsageTap extends SseUsageTap {

    ResponsesSseUsageTap(ObjectMapper mapper) {
        super(mapper);
    }

    /** The event's response object, or the event itself where it has none. */
    @Override
    JsonNode usageHolder(JsonNode event) {
        JsonNode response = event.path("response");
        return response.isObject() ? response : event;
    }

    @Override
    boolean passOn(JsonNode event) {
        return true;
    }

    @Override
    void appendText(JsonNode event, StringBuilder output) {
        if ("response.output_text.delta".equals(event.path("type").asText())) {
            output.append(event.path("delta").asText(""));
        }
    }
}
