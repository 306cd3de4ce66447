package dev.tollgate.metering;

import java.util.List;
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
        long[] slots = new long[REPORTED_PATHS.size()];
        int present = 0;
        for (int slot = 0; slot < slots.length; slot++) {
            Long value = fields.get(REPORTED_PATHS.get(slot));
            if (value != null) {
                slots[slot] = value;
                present |= 1 << slot;
            }
        }
        return reported(slots, present);
    }

    /**
     * The dotted paths in an upstream usage object that usage is read from, in slot order: each pair is a Chat name
     * and its Responses API alternative (input, cached input, output, reasoning), then the total.
     */
    static final List<String> REPORTED_PATHS = List.of("prompt_tokens", "input_tokens",
            "prompt_tokens_details.cached_tokens", "input_tokens_details.cached_tokens", "completion_tokens",
            "output_tokens", "completion_tokens_details.reasoning_tokens", "output_tokens_details.reasoning_tokens",
            "total_tokens");

    /**
     * Usage from the numbers at {@link #REPORTED_PATHS}' indexes ({@code present}: bit i set if slot i was there):
     * the Chat name if present, else its alternative, else 0; the total as reported, else input + output.
     */
    static Usage reported(long[] slots, int present) {
        long input = first(slots, present, 0);
        long output = first(slots, present, 4);
        return new Usage(input, first(slots, present, 2), output, first(slots, present, 6),
                (present & 1 << 8) != 0 ? slots[8] : input + output, UsageSource.REPORTED);
    }

    private static long first(long[] slots, int present, int slot) {
        return (present & 1 << slot) != 0 ? slots[slot] : (present & 1 << slot + 1) != 0 ? slots[slot + 1] : 0;
    }
}
