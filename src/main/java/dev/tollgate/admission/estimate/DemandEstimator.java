package dev.tollgate.admission.estimate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.metering.TokenEstimator;

/**
 * Estimates a request's tokens at admission. Two ways, both on the event loop:
 * <ul>
 *   <li>{@link #quick}: the prompt's UTF-8 bytes / 4 plus OpenAI's per-message framing. Costs a pass over the
 *       prompt's characters, no allocation. For English prose it overestimates o200k_base by a few percent (about
 *       4.5 bytes per token), for code and non-Latin scripts it underestimates (CJK: about 25 % under); the error only
 *       lives until the request settles with its real usage.</li>
 *   <li>{@link #exact}: the model's tokenizer (jtokkit, as the meter's own estimates). Roughly a microsecond per 10 to
 *       20 characters, so admission uses it only to confirm a refusal the quick estimate would make: a request is
 *       never refused on a guess.</li>
 * </ul>
 * Output: {@code max_completion_tokens}, {@code max_tokens} or {@code max_output_tokens} (times {@code n}), else the
 * configured reserve; embeddings produce none.
 */
public final class DemandEstimator {

    /** Per chat message: role and framing tokens; every reply is primed with three more (as the meter counts). */
    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int REPLY_PRIMING = 3;

    private final TokenEstimator tokenizer;
    private final int defaultOutputReserve;

    public DemandEstimator(TokenEstimator tokenizer, int defaultOutputReserve) {
        this.tokenizer = tokenizer;
        this.defaultOutputReserve = defaultOutputReserve;
    }

    public TokenDemand quick(String operationPath, ObjectNode body) {
        if (body == null) {
            return new TokenDemand(0, output(operationPath, null));
        }
        long input;
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            long bytes = 0;
            for (JsonNode message : messages) {
                bytes += bytes(message.get("content")) + bytes(message.get("role"));
            }
            input = REPLY_PRIMING + (long) TOKENS_PER_MESSAGE * messages.size() + (bytes + 3) / 4;
        } else {
            input = (bytes(body.get("prompt")) + bytes(body.get("input")) + bytes(body.get("instructions")) + 3) / 4;
        }
        return new TokenDemand(input, output(operationPath, body));
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

    /** UTF-8 bytes of a text, an array of texts, or content parts ({"text":…} / {"content":…}; images not counted). */
    private static long bytes(JsonNode node) {
        if (node == null) {
            return 0;
        }
        if (node.isTextual()) {
            return utf8Length(node.textValue());
        }
        long bytes = 0;
        if (node.isArray()) {
            for (JsonNode part : node) {
                bytes += part.isObject() ? bytes(part.get("text")) + bytes(part.get("content")) : bytes(part);
            }
        }
        return bytes;
    }

    static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }
}
