package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.Locale;

/**
 * Counts tokens with the model's real tokenizer (jtokkit), for requests whose usage the upstream never reported: a
 * stream cut off, a caller gone before the end. o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o-series families,
 * cl100k_base for gpt-4, gpt-3.5 and the embeddings models. CPU work proportional to the text: callers run it off
 * the event loop.
 *
 * <p>An encoding is loaded when it is first needed (about half a second, blocking), not at start: the two are ~50 MB
 * of heap, most of what a gateway keeps live, and a gateway whose answers all report their usage and whose callers
 * stay within their limits never needs them (admission counts with them only to confirm a refusal, on a worker).
 */
@Singleton
public class TokenEstimator {

    /** Per chat message: role and framing tokens, as OpenAI's own counting guide does it. */
    public static final int TOKENS_PER_MESSAGE = 3;
    /** Every reply is primed with the assistant's role. */
    public static final int REPLY_PRIMING = 3;
    /** Reads request bodies the gateway has already checked to be JSON objects. */
    private static final ObjectReader BODIES = new ObjectMapper().reader();

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();

    /** Loads both encodings now, if not loaded yet (blocking): no count made after this waits for them (benchmarks). */
    public void load() {
        encodingFor("gpt-4").countTokensOrdinary("warm up");
        encodingFor("gpt-4o").countTokensOrdinary("warm up");
    }

    /**
     * The usage a request probably had: its prompt, and the output text the caller was sent.
     *
     * @param request the request's body (parsed here: this runs off the event loop), or null when none was read
     */
    public Usage estimate(Buffer request, String output, String model) {
        Encoding encoding = encodingFor(model);
        long input = promptTokens(tree(request), encoding);
        long generated = output == null || output.isEmpty() ? 0 : encoding.countTokensOrdinary(output);
        return new Usage(input, 0, generated, 0, input + generated, UsageSource.ESTIMATED);
    }

    Encoding encodingFor(String model) {
        String name = model == null ? "" : model.toLowerCase(Locale.ROOT);
        boolean older = (name.startsWith("gpt-4") && !name.startsWith("gpt-4o") && !name.startsWith("gpt-4.1"))
                || name.startsWith("gpt-35") || name.startsWith("gpt-3.5") || name.startsWith("text-embedding");
        return registry.getEncoding(older ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
    }

    private static JsonNode tree(Buffer request) {
        if (request == null) {
            return null;
        }
        try {
            return BODIES.readTree(request.getBytes());
        } catch (IOException e) {
            // Not reached: the body was read as JSON before it was forwarded. No prompt is counted then.
            return null;
        }
    }

    private static long promptTokens(JsonNode request, Encoding encoding) {
        if (request == null) {
            return 0;
        }
        JsonNode messages = request.path("messages");
        if (messages.isArray()) {
            long tokens = REPLY_PRIMING;
            for (JsonNode message : messages) {
                tokens += TOKENS_PER_MESSAGE + count(message.path("content"), encoding)
                        + count(message.path("role"), encoding);
            }
            return tokens;
        }
        // completions (prompt), embeddings and the Responses API (input), and its instructions
        return count(request.path("prompt"), encoding) + count(request.path("input"), encoding)
                + count(request.path("instructions"), encoding);
    }

    /** Tokens of a text, an array of texts, or content parts ({"type":"text","text":…}; images are not counted). */
    private static long count(JsonNode node, Encoding encoding) {
        if (node.isTextual()) {
            return encoding.countTokensOrdinary(node.asText());
        }
        long tokens = 0;
        if (node.isArray()) {
            for (JsonNode part : node) {
                tokens += part.isObject() ? count(part.path("text"), encoding) + count(part.path("content"), encoding)
                        : count(part, encoding);
            }
        }
        return tokens;
    }
}
