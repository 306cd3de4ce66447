package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** Bodies of non-streamed successful answers, in the shape Azure OpenAI returns them. */
final class ResponsePayloads {

    private ResponsePayloads() {
    }

    static String body(AoaiCall call, TokenUsage usage) {
        return AoaiJson.write(switch (call.operation()) {
            case CHAT -> chat(call, usage);
            case COMPLETIONS -> completion(call, usage);
            case EMBEDDINGS -> embeddings(call, usage);
            case RESPONSES -> ResponsesPayloads.response(call, usage, ResponsesPayloads.newIds(call));
        });
    }

    static ObjectNode chat(AoaiCall call, TokenUsage usage) {
        ObjectNode root = AoaiJson.object()
                .put("id", AoaiJson.newId("chatcmpl-"))
                .put("object", "chat.completion")
                .put("created", AoaiJson.nowEpochSeconds())
                .put("model", call.model())
                .put("system_fingerprint", AoaiJson.fingerprint(call.model()));
        root.set("prompt_filter_results", AoaiJson.promptFilterResults());
        ObjectNode choice = root.putArray("choices").addObject()
                .put("index", 0)
                .put("finish_reason", usage.finishReason())
                .putNull("logprobs");
        choice.putObject("message")
                .put("role", "assistant")
                .put("content", LoremText.answer(usage.visibleTokens()));
        choice.putObject("content_filter_results");
        root.set("usage", AoaiJson.usage(usage, true));
        return root;
    }

    static ObjectNode completion(AoaiCall call, TokenUsage usage) {
        ObjectNode root = AoaiJson.object()
                .put("id", AoaiJson.newId("cmpl-"))
                .put("object", "text_completion")
                .put("created", AoaiJson.nowEpochSeconds())
                .put("model", call.model());
        root.set("prompt_filter_results", AoaiJson.promptFilterResults());
        ObjectNode choice = root.putArray("choices").addObject()
                .put("text", LoremText.answer(usage.visibleTokens()))
                .put("index", 0)
                .put("finish_reason", usage.finishReason())
                .putNull("logprobs");
        choice.putObject("content_filter_results");
        root.set("usage", AoaiJson.usage(usage, false));
        return root;
    }

    static ObjectNode embeddings(AoaiCall call, TokenUsage usage) {
        int dimensions = dimensions(call.body());
        boolean base64 = "base64".equals(call.body().path("encoding_format").asText());
        ObjectNode root = AoaiJson.object().put("object", "list");
        ArrayNode data = root.putArray("data");
        List<Prompt.Item> inputs = call.prompt().items();
        for (int i = 0; i < inputs.size(); i++) {
            float[] vector = EmbeddingVectors.of(inputs.get(i).text(), dimensions);
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (base64) {
                item.put("embedding", EmbeddingVectors.base64(vector));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float value : vector) {
                    values.add(value);
                }
            }
        }
        root.put("model", call.model());
        root.putObject("usage").put("prompt_tokens", usage.promptTokens()).put("total_tokens", usage.totalTokens());
        return root;
    }

    /** Already validated by {@link AoaiCallParser}; absent means the short default. */
    private static int dimensions(ObjectNode body) {
        return body.path("dimensions").asInt(EmbeddingVectors.DEFAULT_DIMENSIONS);
    }
}
