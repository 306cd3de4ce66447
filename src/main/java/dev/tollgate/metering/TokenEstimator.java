package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.util.Locale;

/**
 * Counts tokens with the model's real tokenizer ({@link BytePairEncoding}), for requests whose usage the upstream
 * never reported: a stream cut off, a caller gone before the end. o200k_base for the gpt-4o, gpt-4.1, gpt-5 and
 * o-series families, cl100k_base for gpt-4, gpt-3.5 and the embeddings models. CPU work proportional to the text:
 * callers run it off the event loop.
 *
 * <p>An encoding is loaded when it is first needed (a few hundred milliseconds, blocking), not at start: a gateway
 * whose answers all report their usage and whose callers stay within their limits never needs one (admission counts
 * with them only to confirm a refusal, on a worker). Loaded, o200k_base keeps ~3 MB of heap.
 */
@Singleton
public class TokenEstimator {

    /** Per chat message: role and framing tokens, as OpenAI's own counting guide does it. */
    public static final int TOKENS_PER_MESSAGE = 3;
    /** Every reply is primed with the assistant's role. */
    public static final int REPLY_PRIMING = 3;
    /** Reads request bodies the gateway has already checked to be JSON objects. */
    private static final ObjectReader BODIES = new ObjectMapper().reader();

    /**
     * The usage a request probably had: its prompt, and the output text the caller was sent.
     *
     * @param request the request's body (parsed here: this runs off the event loop), or null when none was read
     */
    public Usage estimate(Buffer request, String output, String model) {
        BytePairEncoding encoding = encodingFor(model);
        long input = promptTokens(tree(request), encoding);
        long generated = output == null || output.isEmpty() ? 0 : encoding.count(output);
        return new Usage(input, 0, generated, 0, input + generated, UsageSource.ESTIMATED);
    }

    BytePairEncoding encodingFor(String model) {
        String name = model == null ? "" : model.toLowerCase(Locale.ROOT);
        boolean older = (name.startsWith("gpt-4") && !name.startsWith("gpt-4o") && !name.startsWith("gpt-4.1"))
                || name.startsWith("gpt-35") || name.startsWith("gpt-3.5") || name.startsWith("text-embedding");
        return older ? Cl100k.ENCODING : O200k.ENCODING;
    }

    /** Holds o200k_base: loaded by the first count that needs it, once per JVM (class initialisation is). */
    private static final class O200k {
        static final BytePairEncoding ENCODING = BytePairEncoding.o200kBase();
    }

    /** Holds cl100k_base, as {@link O200k}. */
    private static final class Cl100k {
        static final BytePairEncoding ENCODING = BytePairEncoding.cl100kBase();
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

    private static long promptTokens(JsonNode request, BytePairEncoding encoding) {
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
    private static long count(JsonNode node, BytePairEncoding encoding) {
        if (node.isTextual()) {
            return encoding.count(node.asText());
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
