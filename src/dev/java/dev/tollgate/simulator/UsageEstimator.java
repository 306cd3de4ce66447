package dev.tollgate.simulator;

/**
 * Deterministic, plausible token accounting. Tests compare the gateway's metered numbers with what the simulator
 * reported, so the rules only need to be stable and realistic in shape, not tokenizer-exact.
 */
final class UsageEstimator {

    /** Length of an unconstrained answer in words (= tokens). */
    static final int ANSWER_WORDS = 24;
    /** Reasoning models bill about this many hidden reasoning tokens per visible token. */
    static final int REASONING_TOKENS_PER_VISIBLE = 2;
    /** Azure only caches prompts of at least 1024 tokens ... */
    static final long CACHE_MIN_TOKENS = 1024;
    /** ... and reports cached tokens in steps of 128. */
    static final long CACHE_STEP = 128;

    private UsageEstimator() {
    }

    /** What the rate limiter charges up front: the prompt plus the most the completion may cost. */
    static long budgetCost(AoaiCall call) {
        long prompt = call.prompt().tokens();
        return call.operation() == Operation.EMBEDDINGS ? prompt : prompt + completionLimit(call);
    }

    /** Whether the prompt is long enough to be remembered by (and served from) the prompt cache. */
    static boolean cacheable(AoaiCall call) {
        return call.operation() != Operation.EMBEDDINGS && call.prompt().tokens() >= CACHE_MIN_TOKENS;
    }

    /**
     * @param promptSeenBefore whether this backend already served the same prompt (a prompt-cache hit)
     */
    static TokenUsage estimate(AoaiCall call, boolean promptSeenBefore) {
        long prompt = call.prompt().tokens();
        if (call.operation() == Operation.EMBEDDINGS) {
            return new TokenUsage(prompt, 0, 0, 0, false);
        }
        long cached = promptSeenBefore && prompt >= CACHE_MIN_TOKENS ? prompt / CACHE_STEP * CACHE_STEP : 0;
        long natural = naturalCompletion(call.model());
        long completion = Math.min(completionLimit(call), natural);
        long reasoning = 0;
        if (ModelCatalog.isReasoningModel(call.model())) {
            // The caller's limit covers reasoning and visible text together, so both shrink with it.
            long visible = Math.max(1, completion / (1 + REASONING_TOKENS_PER_VISIBLE));
            reasoning = completion - visible;
        }
        return new TokenUsage(prompt, completion, cached, reasoning, completion < natural);
    }

    private static long completionLimit(AoaiCall call) {
        return call.maxCompletionTokens() != null ? call.maxCompletionTokens() : naturalCompletion(call.model());
    }

    private static long naturalCompletion(String model) {
        return ModelCatalog.isReasoningModel(model)
                ? (long) ANSWER_WORDS * (1 + REASONING_TOKENS_PER_VISIBLE)
                : ANSWER_WORDS;
    }
}
