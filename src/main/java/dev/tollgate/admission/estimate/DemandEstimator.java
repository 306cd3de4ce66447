package dev.tollgate.admission.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.metering.TokenEstimator;

/**
 * Estimates a request's tokens at admission. Two ways:
 * <ul>
 *   <li>{@link #quick}: the prompt's UTF-8 bytes / 4 plus OpenAI's per-message framing
 *       ({@link TokenEstimator#quickPromptTokens}), on the event loop. Costs a pass over the prompt's characters, no
 *       allocation. For English prose it overestimates o200k_base by a few percent (about 4.5 bytes per token), for
 *       code and non-Latin scripts it underestimates (CJK: about 25 % under); the error only lives until the request
 *       settles with its real usage.</li>
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

    public TokenDemand quick(String operationPath, ObjectNode body) {
        return new TokenDemand(tokenizer.quickPromptTokens(body), output(operationPath, body));
    }

    /** The prompt counted with the model's tokenizer (the deployment name stands for the model). */
    public TokenDemand exact(String deployment, String operationPath, ObjectNode body) {
        long input = body == null ? 0 : tokenizer.estimate(body, null, deployment).inputTokens();
        return new TokenDemand(input, output(operationPath, body));
    }

    private long output(String operationPath, ObjectNode body) {
        if (operationPath != null && operationPath.startsWith("embeddings")) {
            return 0;
        }
        long max = body == null ? -1 : firstCount(body, "max_completion_tokens", "max_tokens", "max_output_tokens");
        long choices = body == null ? 1 : Math.max(1, body.path("n").asLong(1));
        return (max >= 0 ? max : defaultOutputReserve) * choices;
    }

    private static long firstCount(ObjectNode body, String... fields) {
        for (String field : fields) {
            JsonNode value = body.get(field);
            if (value != null && value.isIntegralNumber() && value.longValue() >= 0) {
                return value.longValue();
            }
        }
        return -1;
    }
}
