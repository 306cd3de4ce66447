package dev.tollgate.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Building blocks shared by the JSON and the streamed AOAI payloads, so both report usage, ids and filter results
 * identically.
 */
final class AoaiJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final char[] ID_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private AoaiJson() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static String write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serializes", e);
        }
    }

    /** Azure's error envelope {@code {"error":{"code":..,"message":..}}}. */
    static String error(String code, String message) {
        ObjectNode root = object();
        root.putObject("error").put("code", code).put("message", message);
        return write(root);
    }

    /** An id like Azure's, e.g. {@code chatcmpl-} followed by 29 random characters. */
    static String newId(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 29; i++) {
            id.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
        }
        return id.toString();
    }

    /** An id like the Responses API's, e.g. {@code resp_} followed by 48 lowercase hex digits. */
    static String newHexId(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder id = new StringBuilder(prefix);
        for (int i = 0; i < 48; i++) {
            id.append(Character.forDigit(random.nextInt(16), 16));
        }
        return id.toString();
    }

    /** A stable fingerprint per model, as a real deployment keeps one for a given model build. */
    static String fingerprint(String model) {
        return "fp_" + UUID.nameUUIDFromBytes(model.getBytes(StandardCharsets.UTF_8)).toString()
                .replace("-", "").substring(0, 10);
    }

    static long nowEpochSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    /** {@code [{"prompt_index":0,"content_filter_results":{}}]}: Azure's content-filter verdict on the prompt. */
    static ArrayNode promptFilterResults() {
        ArrayNode results = array();
        results.addObject().put("prompt_index", 0).putObject("content_filter_results");
        return results;
    }

    /** The {@code usage} object; {@code withDetails} adds the cached and reasoning breakdown of chat answers. */
    static ObjectNode usage(TokenUsage usage, boolean withDetails) {
        ObjectNode node = object()
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.totalTokens());
        if (withDetails) {
            node.putObject("prompt_tokens_details")
                    .put("audio_tokens", 0)
                    .put("cached_tokens", usage.cachedTokens());
            node.putObject("completion_tokens_details")
                    .put("accepted_prediction_tokens", 0)
                    .put("audio_tokens", 0)
                    .put("reasoning_tokens", usage.reasoningTokens())
                    .put("rejected_prediction_tokens", 0);
        }
        return node;
    }

    /** The Responses API's {@code usage} object, with its own field names for the same numbers as chat's. */
    static ObjectNode responsesUsage(TokenUsage usage) {
        ObjectNode node = object().put("input_tokens", usage.promptTokens());
        node.putObject("input_tokens_details").put("cached_tokens", usage.cachedTokens());
        node.put("output_tokens", usage.completionTokens());
        node.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        node.put("total_tokens", usage.totalTokens());
        return node;
    }
}
