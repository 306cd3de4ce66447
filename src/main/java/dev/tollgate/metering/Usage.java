package dev.tollgate.metering;

import java.util.Map;

/**
 * Token counts of one request. Cached input is part of input and reasoning is part of output, as the upstream reports
 * them; they are kept apart so that pricing can charge them differently, never added twice.
 */
public record Usage(long inputTokens, long cachedInputTokens, long outputTokens, long reasoningTokens,
                    long totalTokens, UsageSource source) {

    public static Usage none() {
        return new Usage(0, 0, 0, 0, 0, UsageSource.NONE);
    }

    public static Usage missing() {
        return new Usage(0, 0, 0, 0, 0, UsageSource.MISSING);
    }

    /**
     * From the numeric fields of an upstream {@code usage} object, keyed by their dotted path inside it. Reads both
     * wire vocabularies: chat, completions and embeddings ({@code prompt_tokens}, {@code completion_tokens}) and the
     * Responses API ({@code input_tokens}, {@code output_tokens}).
     */
    public static Usage reported(Map<String, Long> fields) {
        long input = first(fields, "prompt_tokens", "input_tokens");
        long cached = first(fields, "prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens");
        long output = first(fields, "completion_tokens", "output_tokens");
        long reasoning = first(fields, "completion_tokens_details.reasoning_tokens", "output_tokens_details.reasoning_tokens");
        Long total = fields.get("total_tokens");
        return new Usage(input, cached, output, reasoning, total != null ? total : input + output, UsageSource.REPORTED);
    }

    private static long first(Map<String, Long> fields, String name, String alternative) {
        Long value = fields.get(name);
        if (value == null) {
            value = fields.get(alternative);
        }
        return value == null ? 0 : value;
    }
}
