package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The {@code response} object of the Responses API and its output items, as the JSON answer returns it and as the
 * streamed events embed it.
 *
 * <p>An answer cut by {@code max_output_tokens} is {@code "status":"incomplete"} with
 * {@code incomplete_details.reason = "max_output_tokens"}, as the real service reports it (chat's
 * {@code finish_reason: length}). Reasoning models put a {@code reasoning} item before the message, so their message
 * is {@code output[1]}.
 */
final class ResponsesPayloads {

    /**
     * Identity of one response, shared by every event of its stream.
     *
     * @param response  {@code resp_…}
     * @param reasoning {@code rs_…} of the reasoning item, or {@code null} when the model does not reason
     * @param message   {@code msg_…} of the answer message
     * @param createdAt epoch seconds
     */
    record Ids(String response, String reasoning, String message, long createdAt) {

        /** Position of the message in {@code output}: after the reasoning item when there is one. */
        int messageIndex() {
            return reasoning == null ? 0 : 1;
        }
    }

    private ResponsesPayloads() {
    }

    static Ids newIds(AoaiCall call) {
        String reasoning = ModelCatalog.isReasoningModel(call.model()) ? AoaiJson.newHexId("rs_") : null;
        return new Ids(AoaiJson.newHexId("resp_"), reasoning, AoaiJson.newHexId("msg_"), AoaiJson.nowEpochSeconds());
    }

    /** {@code completed}, or {@code incomplete} when the caller's {@code max_output_tokens} cut the answer. */
    static String finalStatus(TokenUsage usage) {
        return usage.truncated() ? "incomplete" : "completed";
    }

    /** The finished response: full output and usage. */
    static ObjectNode response(AoaiCall call, TokenUsage usage, Ids ids) {
        ObjectNode root = skeleton(call, ids, finalStatus(usage));
        if (usage.truncated()) {
            root.putObject("incomplete_details").put("reason", "max_output_tokens");
        }
        ArrayNode output = root.putArray("output");
        if (ids.reasoning() != null) {
            output.add(reasoningItem(ids));
        }
        output.add(messageItem(ids, finalStatus(usage), LoremText.answer(usage.visibleTokens())));
        root.set("usage", AoaiJson.responsesUsage(usage));
        return root;
    }

    /** The response as {@code response.created} and {@code response.in_progress} show it: nothing produced yet. */
    static ObjectNode inProgress(AoaiCall call, Ids ids) {
        ObjectNode root = skeleton(call, ids, "in_progress");
        root.putArray("output");
        root.putNull("usage");
        return root;
    }

    static ObjectNode reasoningItem(Ids ids) {
        ObjectNode item = AoaiJson.object().put("id", ids.reasoning()).put("type", "reasoning");
        item.putArray("summary");
        return item;
    }

    /** The assistant message; {@code text == null} gives the empty item {@code response.output_item.added} shows. */
    static ObjectNode messageItem(Ids ids, String status, String text) {
        ObjectNode item = AoaiJson.object()
                .put("id", ids.message())
                .put("type", "message")
                .put("status", status);
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        item.put("role", "assistant");
        return item;
    }

    static ObjectNode outputText(String text) {
        ObjectNode part = AoaiJson.object().put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    /**
     * Fields every response object carries, in the real order up to {@code output}; {@code output}, {@code usage}
     * and the rest follow. Request settings the real service echoes are echoed.
     */
    private static ObjectNode skeleton(AoaiCall call, Ids ids, String status) {
        ObjectNode body = call.body();
        ObjectNode root = AoaiJson.object()
                .put("id", ids.response())
                .put("object", "response")
                .put("created_at", ids.createdAt())
                .put("status", status)
                .put("background", false);
        root.putNull("error");
        root.putNull("incomplete_details");
        root.set("instructions", echo(body, "instructions"));
        root.set("max_output_tokens", echo(body, "max_output_tokens"));
        root.put("model", call.model());
        root.putNull("output"); // placeholder keeps the field order; replaced by the caller
        root.put("parallel_tool_calls", body.path("parallel_tool_calls").asBoolean(true));
        root.set("previous_response_id", echo(body, "previous_response_id"));
        ObjectNode reasoning = root.putObject("reasoning");
        JsonNode effort = body.path("reasoning").path("effort");
        if (effort.isTextual()) {
            reasoning.put("effort", effort.asText());
        } else if (ids.reasoning() != null) {
            reasoning.put("effort", "medium");
        } else {
            reasoning.putNull("effort");
        }
        reasoning.putNull("summary");
        root.put("store", body.path("store").asBoolean(true));
        root.put("temperature", body.path("temperature").asDouble(1.0));
        root.putObject("text").putObject("format").put("type", "text");
        root.set("tool_choice", body.hasNonNull("tool_choice") ? body.get("tool_choice").deepCopy()
                : TextNode.valueOf("auto"));
        root.set("tools", body.path("tools").isArray() ? body.get("tools").deepCopy() : AoaiJson.array());
        root.put("top_p", body.path("top_p").asDouble(1.0));
        root.put("truncation", body.path("truncation").asText("disabled"));
        root.putNull("usage"); // placeholder, as for output
        root.set("user", echo(body, "user"));
        root.set("metadata", body.path("metadata").isObject() ? body.get("metadata").deepCopy() : AoaiJson.object());
        return root;
    }

    private static JsonNode echo(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        return value == null ? NullNode.getInstance() : value.deepCopy();
    }
}
