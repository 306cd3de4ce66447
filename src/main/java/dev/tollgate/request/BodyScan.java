package dev.tollgate.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.metering.TokenEstimator;

import java.io.IOException;

/**
 * What the gateway reads of a request body, found in one pass of Jackson's streaming parser instead of a tree of the
 * whole body: the deployment in {@code model}, {@code stream}, whether {@code stream_options.include_usage} is set,
 * the output limits and {@code n}, and the size of the prompt for the quick token estimate. Everything else is skipped,
 * though still checked to be JSON. A key given twice counts with its last value, as a tree would keep it; what follows
 * the object is not read, as a tree does not read it.
 *
 * <p>The quick estimate ({@link #quickPromptTokens}) is the prompt's UTF-8 bytes / 4 plus OpenAI's per-message
 * framing, counted as the parser passes, where the tokenizer costs about a microsecond per 10 to 20 characters. For
 * English prose it overestimates o200k_base by a few percent, for code and non-Latin scripts it underestimates (CJK:
 * about 25 % under). It is admission's quick demand, and the prompt a journal entry keeps for a request that may be
 * cut.
 */
final class BodyScan {

    /** The body's {@code model} as text; empty when absent, null or not a scalar. */
    String model = "";
    boolean stream;
    /** Whether the body has a {@code stream_options} member, whatever its value. */
    boolean streamOptions;
    boolean includeUsage;
    private long maxCompletionTokens = -1;
    private long maxTokens = -1;
    private long maxOutputTokens = -1;
    private long n = -1;
    /** Whether {@code messages} is an array: the prompt is then the messages, else prompt, input and instructions. */
    private boolean chat;
    private long messages;
    private long messageBytes;
    private long promptBytes;
    private long inputBytes;
    private long instructionsBytes;

    private BodyScan() {
    }

    /**
     * Reads the JSON object the parser starts at; null when the body holds no object (another JSON value, or none).
     *
     * @throws IOException when the body is not JSON (a {@link com.fasterxml.jackson.core.JsonProcessingException})
     */
    static BodyScan of(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        BodyScan scan = new BodyScan();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "model" -> scan.model = value.isScalarValue() && value != JsonToken.VALUE_NULL
                        ? parser.getText() : "";
                case "stream" -> scan.stream = truthy(parser);
                case "stream_options" -> {
                    scan.streamOptions = true;
                    scan.includeUsage = value == JsonToken.START_OBJECT && includeUsage(parser);
                }
                case "max_completion_tokens" -> scan.maxCompletionTokens = count(parser);
                case "max_tokens" -> scan.maxTokens = count(parser);
                case "max_output_tokens" -> scan.maxOutputTokens = count(parser);
                case "n" -> scan.n = count(parser);
                case "messages" -> scan.messages(parser);
                case "prompt" -> scan.promptBytes = textBytes(parser);
                case "input" -> scan.inputBytes = textBytes(parser);
                case "instructions" -> scan.instructionsBytes = textBytes(parser);
                default -> {
                    // not read
                }
            }
            parser.skipChildren();
        }
        return scan;
    }

    /** The prompt's tokens by the quick estimate (see the class). */
    long quickPromptTokens() {
        if (chat) {
            return TokenEstimator.REPLY_PRIMING + TokenEstimator.TOKENS_PER_MESSAGE * messages + (messageBytes + 3) / 4;
        }
        return (promptBytes + inputBytes + instructionsBytes + 3) / 4;
    }

    /**
     * The first of {@code max_completion_tokens}, {@code max_tokens} and {@code max_output_tokens} that is a count, in
     * that order; -1 when none is.
     */
    long maxOutputTokens() {
        return maxCompletionTokens >= 0 ? maxCompletionTokens : maxTokens >= 0 ? maxTokens : maxOutputTokens;
    }

    /** {@code n}, the choices asked for: 1 unless a larger count is given. */
    long choices() {
        return Math.max(1, n);
    }

    private void messages(JsonParser parser) throws IOException {
        chat = parser.currentToken() == JsonToken.START_ARRAY;
        messages = 0;
        messageBytes = 0;
        if (!chat) {
            return;
        }
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            messages++;
            if (parser.currentToken() == JsonToken.START_OBJECT) {
                messageBytes += fieldsBytes(parser, "content", "role");
            } else {
                parser.skipChildren();
            }
        }
    }

    /**
     * UTF-8 bytes of the value the parser is at: a text, or an array of texts and content parts ({@code {"text":…}}
     * or {@code {"content":…}}, themselves texts or arrays); anything else (an image's URL, numbers) counts none.
     * Leaves the parser at the value's last token.
     */
    private static long textBytes(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_STRING) {
            return utf8Bytes(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
        }
        if (token != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return 0;
        }
        long bytes = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            bytes += parser.currentToken() == JsonToken.START_OBJECT ? fieldsBytes(parser, "text", "content")
                    : textBytes(parser);
        }
        return bytes;
    }

    /**
     * The {@link #textBytes} of an object's two fields, each at its last value (a message's content and role, a content
     * part's text and content); the parser is at the object's opening brace.
     */
    private static long fieldsBytes(JsonParser parser, String first, String second) throws IOException {
        long firstBytes = 0;
        long secondBytes = 0;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (name.equals(first)) {
                firstBytes = textBytes(parser);
            } else if (name.equals(second)) {
                secondBytes = textBytes(parser);
            }
            parser.skipChildren();
        }
        return firstBytes + secondBytes;
    }

    private static long utf8Bytes(char[] text, int offset, int length) {
        long bytes = 0;
        for (int i = offset; i < offset + length; i++) {
            char c = text[i];
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static boolean includeUsage(JsonParser parser) throws IOException {
        boolean include = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (name.equals("include_usage")) {
                include = truthy(parser);
            }
            parser.skipChildren();
        }
        return include;
    }

    /** A flag as Jackson's {@code asBoolean} reads one: {@code true}, a non-zero integer, or the text "true". */
    private static boolean truthy(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? parser.getBigIntegerValue().signum() != 0 : parser.getLongValue() != 0;
            case VALUE_STRING -> parser.getText().trim().equals("true");
            default -> false;
        };
    }

    /** A count of tokens or choices: a non-negative integer within a long; else -1. */
    private static long count(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return -1;
        }
        long value = parser.getLongValue();
        return value >= 0 ? value : -1;
    }
}
