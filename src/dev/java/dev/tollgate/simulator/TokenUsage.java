package dev.tollgate.simulator;

/**
 * Token counts of one answer, the simulator's "source of truth" that the gateway's metering is compared with.
 *
 * @param promptTokens     billed prompt tokens
 * @param completionTokens billed completion tokens, reasoning included (as Azure bills them)
 * @param cachedTokens     part of the prompt served from the prompt cache
 * @param reasoningTokens  hidden reasoning part of the completion
 * @param truncated        whether the completion was cut by the caller's token limit ({@code finish_reason: length})
 */
record TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                  boolean truncated) {

    long totalTokens() {
        return promptTokens + completionTokens;
    }

    /** Tokens that appear as text in the answer; one word of the generated text per token. */
    int visibleTokens() {
        return Math.toIntExact(completionTokens - reasoningTokens);
    }

    String finishReason() {
        return truncated ? "length" : "stop";
    }
}
