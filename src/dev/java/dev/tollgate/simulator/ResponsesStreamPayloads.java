package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The server-sent events of a streamed Responses API answer. Unlike chat, every event is named ({@code event:} equals
 * the payload's {@code type}), carries an increasing {@code sequence_number}, and there is no {@code [DONE]}: the
 * stream ends with {@code response.completed} (or {@code response.incomplete} when {@code max_output_tokens} cut the
 * answer), the only event with usage.
 *
 * <p>Order: {@code response.created}, {@code response.in_progress}, for reasoning models the reasoning item's
 * {@code output_item.added}/{@code .done}, then the message's {@code output_item.added},
 * {@code content_part.added}, one {@code output_text.delta} per word, {@code output_text.done},
 * {@code content_part.done}, {@code output_item.done}, and the terminal event.
 */
final class ResponsesStreamPayloads {

    private ResponsesStreamPayloads() {
    }

    static List<SseEvent> events(AoaiCall call, TokenUsage usage) {
        ResponsesPayloads.Ids ids = ResponsesPayloads.newIds(call);
        Events events = new Events();
        events.add("response.created").set("response", ResponsesPayloads.inProgress(call, ids));
        events.add("response.in_progress").set("response", ResponsesPayloads.inProgress(call, ids));
        if (ids.reasoning() != null) {
            events.add("response.output_item.added").put("output_index", 0)
                    .set("item", ResponsesPayloads.reasoningItem(ids));
            events.add("response.output_item.done").put("output_index", 0)
                    .set("item", ResponsesPayloads.reasoningItem(ids));
        }
        int index = ids.messageIndex();
        events.add("response.output_item.added").put("output_index", index)
                .set("item", ResponsesPayloads.messageItem(ids, "in_progress", null));
        events.add("response.content_part.added", ids, index).set("part", ResponsesPayloads.outputText(""));
        for (String token : LoremText.tokens(usage.visibleTokens())) {
            events.add("response.output_text.delta", ids, index).put("delta", token).putArray("logprobs");
        }
        String text = LoremText.answer(usage.visibleTokens());
        events.add("response.output_text.done", ids, index).put("text", text).putArray("logprobs");
        events.add("response.content_part.done", ids, index).set("part", ResponsesPayloads.outputText(text));
        String status = ResponsesPayloads.finalStatus(usage);
        events.add("response.output_item.done").put("output_index", index)
                .set("item", ResponsesPayloads.messageItem(ids, status, text));
        events.add("response." + status).set("response", ResponsesPayloads.response(call, usage, ids));
        return events.render();
    }

    /** Numbers the events as they are added; payloads stay mutable until rendered. */
    private static final class Events {
        private final List<ObjectNode> payloads = new ArrayList<>();

        ObjectNode add(String type) {
            ObjectNode payload = AoaiJson.object().put("type", type).put("sequence_number", payloads.size());
            payloads.add(payload);
            return payload;
        }

        /** An event about the message's (only) content part. */
        ObjectNode add(String type, ResponsesPayloads.Ids ids, int outputIndex) {
            return add(type).put("item_id", ids.message()).put("output_index", outputIndex).put("content_index", 0);
        }

        List<SseEvent> render() {
            return payloads.stream()
                    .map(payload -> SseEvent.named(payload.get("type").asText(), AoaiJson.write(payload)))
                    .toList();
        }
    }
}
