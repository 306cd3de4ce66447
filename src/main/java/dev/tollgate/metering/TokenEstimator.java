package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import jakarta.inject.Singleton;

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
    static final int TOKENS_PER_MESSAGE = 3;
    /** Every reply is primed with the assistant's role. */
    static final int REPLY_PRIMING = 3;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();

    /** Loads both encodings now, if not loaded yet (blocking): no count made after this waits for them (benchmarks). */
    public void load() {
        encodingFor("gpt-4").countTokensOrdinary("warm up");
        encodingFor("gpt-4o").countTokensOrdinary("warm up");
    }

    /** The usage a request probably had: its prompt, and the output text the caller was sent. */
    public Usage estimate(JsonNode request, String output, String model) {
        Encoding encoding = encodingFor(model);
        long input = promptTokens(request, encoding);
        long generated = output == null || output.isEmpty() ? 0 : encoding.countTokensOrdinary(output);
        return new Usage(input, 0, generated, 0, input + generated, UsageSource.ESTIMATED);
    }

    /**
     * The prompt's tokens without the tokenizer: its UTF-8 bytes / 4 plus OpenAI's per-message framing. One pass over
     * the prompt's characters, no allocation, where counting with the tokenizer costs about a microsecond per 10 to 20
     * characters. For English prose it overestimates o200k_base by a few percent, for code and non-Latin scripts it
     * underestimates (CJK: about 25 % under). Admission's quick demand, and the prompt a journal entry keeps for a
     * request that may be interrupted.
     */
    public long quickPromptTokens(JsonNode request) {
        if (request == null) {
            return 0;
        }
        JsonNode messages = request.get("messages");
        if (messages != null && messages.isArray()) {
            long bytes = 0;
            for (JsonNode message : messages) {
                bytes += utf8Bytes(message.get("content")) + utf8Bytes(message.get("role"));
            }
            return REPLY_PRIMING + (long) TOKENS_PER_MESSAGE * messages.size() + (bytes + 3) / 4;
        }
        return (utf8Bytes(request.get("prompt")) + utf8Bytes(request.get("input"))
                + utf8Bytes(request.get("instructions")) + 3) / 4;
    }

    /** UTF-8 bytes of a text, an array of texts, or content parts ({"text":…} / {"content":…}; images not counted). */
    private static long utf8Bytes(JsonNode node) {
        if (node == null) {
            return 0;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            long bytes = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            }
            return bytes;
        }
        long bytes = 0;
        if (node.isArray()) {
            for (JsonNode part : node) {
                bytes += part.isObject() ? utf8Bytes(part.get("text")) + utf8Bytes(part.get("content"))
                        : utf8Bytes(part);
            }
        }
        return bytes;
    }

    Encoding encodingFor(String model) {
        String name = model == null ? "" : model.toLowerCase(Locale.ROOT);
        boolean older = (name.startsWith("gpt-4") && !name.startsWith("gpt-4o") && !name.startsWith("gpt-4.1"))
                || name.startsWith("gpt-35") || name.startsWith("gpt-3.5") || name.startsWith("text-embedding");
        return registry.getEncoding(older ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
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
