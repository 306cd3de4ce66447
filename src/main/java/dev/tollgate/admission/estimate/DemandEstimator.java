package dev.tollgate.admission.estimate;

import dev.tollgate.metering.TokenEstimator;
import dev.tollgate.request.InboundRequest;

/**
 * Estimates a request's tokens at admission. Two ways:
 * <ul>
 *   <li>{@link #quick}: the prompt's UTF-8 bytes / 4 plus OpenAI's per-message framing, counted when the body was read
 *       ({@link InboundRequest.Tokens#quickPrompt()}), so nothing is counted here, on the event loop. For English prose
 *       it overestimates o200k_base by a few percent (about 4.5 bytes per token), for code and non-Latin scripts it
 *       underestimates (CJK: about 25 % under); the error only lives until the request settles with its real
 *       usage.</li>
 *   <li>{@link #exact}: the model's tokenizer (jtokkit, as the meter's own estimates), on a worker thread. Roughly a
 *       microsecond per 10 to 20 characters, so admission uses it only to confirm a refusal the quick estimate would
 *       make: a request is never refused on a guess. Its encodings (~50 MB of heap) load on the first such
 *       confirmation, so a gateway whose callers stay within their limits never holds them.</li>
 * </ul>
 * Output: {@code max_completion_tokens}, {@code max_tokens} or {@code max_output_tokens} (times {@code n}), else the
 * configured reserve; embeddings produce none.
 */
public final class DemandEstimator {

    private final TokenEstimator tokenizer;
    private final int defaultOutputReserve;

    public DemandEstimator(TokenEstimator tokenizer, int defaultOutputReserve) {
        this.tokenizer = tokenizer;
        this.defaultOutputReserve = defaultOutputReserve;
    }

    public TokenDemand quick(InboundRequest request) {
        return new TokenDemand(request.tokens().quickPrompt(), output(request));
    }

    /** The prompt counted with the model's tokenizer (the deployment name stands for the model). */
    public TokenDemand exact(InboundRequest request) {
        long input = tokenizer.estimate(request.body(), null, request.deployment()).inputTokens();
        return new TokenDemand(input, output(request));
    }

    private long output(InboundRequest request) {
        if (request.operation().path().startsWith("embeddings")) {
            return 0;
        }
        InboundRequest.Tokens tokens = request.tokens();
        return (tokens.maxOutput() >= 0 ? tokens.maxOutput() : defaultOutputReserve) * tokens.choices();
    }
}
