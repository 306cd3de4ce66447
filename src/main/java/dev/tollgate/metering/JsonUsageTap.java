package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Usage from a JSON response body: the top-level {@code model} and the numbers inside the top-level {@code usage}
 * object, nothing else.
 *
 * <p>A body of up to {@link #HOLD_LIMIT} bytes (nearly every chat, completions and Responses answer) is held as it
 * passes and read only when its usage is asked for, with Jackson's blocking parser, several times cheaper than the
 * non-blocking one. Once the body has ended it is read from its end first: {@code usage} comes last or nearly so,
 * and {@code model} shortly before it, so the parser starts at the earlier of the last {@code "usage":} and the last
 * {@code "model":} and reads from there as the rest of the top-level object. That guess is kept only if it proves
 * right: the rest closes exactly where the body ends, with a string {@code model} and a whole {@code usage} object at
 * its top level. Otherwise, and for a body broken off before its end, the body is read from its start. A larger body
 * (a big embeddings answer) is not held: it is read as it passes with Jackson's non-blocking parser, so that it
 * costs no memory beyond one chunk.
 *
 * <p>Read from its start, a body the parser cannot read yields what was read before the fault: a usage object
 * complete by then, and the model. Read from its end, only that end is parsed: a fault in front of a well-formed end
 * goes unnoticed, which no upstream sending JSON shows.
 */
public final class JsonUsageTap implements UsageTap {

    /** Bodies up to this size are held and read at their end; larger ones are read as they pass. */
    static final int HOLD_LIMIT = 64 * 1024;

    /**
     * Field names are canonicalized and interned (Jackson's defaults): a parser is closed after use, which merges the
     * names it met into the factory's shared table, so the next parser finds {@code usage}, {@code prompt_tokens}…
     * there instead of building them again, as the very strings the code compares them with. Only a name never seen
     * before pays for the table and the intern.
     */
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] USAGE_KEY = {'"', 'u', 's', 'a', 'g', 'e', '"'};
    private static final byte[] MODEL_KEY = {'"', 'm', 'o', 'd', 'e', 'l', '"'};
    private static final int KEY_LENGTH = 7;
    private static final byte[] EMPTY = {};

    /** The body so far, while it is small enough to hold; null once it is read as it passes. */
    private byte[] held = EMPTY;
    private int heldLength;
    /** What the held body says, and how many of its bytes that reading covered (-1: not read yet). */
    private Reading reading;
    private int readLength = -1;
    /** Reads the body as it passes, once it outgrew {@link #HOLD_LIMIT}. */
    private StreamingReader streaming;
    /** The body ended as the upstream meant it to: only then may it be read from its end. */
    private boolean ended;

    @Override
    public Buffer onChunk(Buffer chunk) {
        int length = chunk.length();
        if (length == 0) {
            return chunk;
        }
        if (streaming != null) {
            streaming.feed(chunk.getBytes(), length);
        } else if (heldLength + length <= HOLD_LIMIT) {
            if (heldLength + length > held.length) {
                held = Arrays.copyOf(held, Math.min(HOLD_LIMIT, Math.max(heldLength + length, 2 * held.length)));
            }
            chunk.getBytes(0, length, held, heldLength);
            heldLength += length;
        } else {
            streaming = new StreamingReader();
            streaming.feed(held, heldLength);
            held = null;
            streaming.feed(chunk.getBytes(), length);
        }
        return chunk;
    }

    @Override
    public Buffer onEnd() {
        ended = true;
        if (streaming != null) {
            streaming.close();
        }
        return Buffer.buffer();
    }

    @Override
    public Optional<Usage> usage() {
        return read().usage();
    }

    @Override
    public Optional<String> model() {
        return Optional.ofNullable(read().model());
    }

    /** Not kept: a JSON answer that completes carries its usage, and one that does not completed nothing. */
    @Override
    public String outputText() {
        return "";
    }

    private Reading read() {
        if (streaming != null) {
            return streaming.reading;
        }
        if (readLength != heldLength) {
            // A body broken off may end inside a nested object that looks, from there, like the top level.
            reading = ended ? readHeld(held, heldLength) : readFromStart(held, heldLength);
            readLength = heldLength;
        }
        return reading;
    }

    /** The held body, read from the end if that proves right, else from its start. */
    static Reading readHeld(byte[] body, int length) {
        Reading fromEnd = readFromEnd(body, length);
        return fromEnd != null ? fromEnd : readFromStart(body, length);
    }

    /** The whole body from its start, up to its end or the first fault. */
    static Reading readFromStart(byte[] body, int length) {
        Reading reading = new Reading();
        try (JsonParser parser = FACTORY.createParser(body, 0, length)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
            }
        } catch (IOException | RuntimeException e) {
            // a cut or garbled body: what was read before the fault stands
        }
        return reading;
    }

    /**
     * The body read from the earlier of the last {@code "usage":} and the last {@code "model":} as the rest of the
     * top-level object; null unless that rest is exactly such a rest, holding both, closing where the body ends.
     */
    static Reading readFromEnd(byte[] body, int length) {
        long keys = lastKeys(body, length);
        int usageKey = (int) (keys >> 32);
        int modelKey = (int) keys;
        if (usageKey <= 0 || modelKey <= 0) {
            return null;
        }
        int from = Math.min(usageKey, modelKey);
        // The parser reads from the byte before the first key, made an opening brace for the while.
        byte before = body[from - 1];
        body[from - 1] = '{';
        Reading reading = new Reading();
        try (JsonParser parser = FACTORY.createParser(body, from - 1, length - from + 1)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
                if (reading.depth == 0) {
                    // The object closed: the body must end here, or the keys were not top-level ones.
                    return parser.nextToken() == null && reading.usageComplete && reading.model != null ? reading : null;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            body[from - 1] = before;
        }
    }

    /**
     * Where the last {@code "usage"} and the last {@code "model"} used as field names start (followed by a colon,
     * the first quote not escaped), as {@code usage << 32 | model}, -1 for none. In valid JSON such bytes can only be
     * a whole string token, and one followed by a colon names a field; which object it belongs to the caller finds
     * out.
     */
    static long lastKeys(byte[] body, int length) {
        int usageKey = -1;
        int modelKey = -1;
        for (int start = length - KEY_LENGTH; start >= 0 && (usageKey < 0 || modelKey < 0); start--) {
            if (body[start] != '"') {
                continue;
            }
            byte second = body[start + 1];
            if (second == 'u' && usageKey < 0 && matches(body, start, USAGE_KEY) && isFieldName(body, start, length)) {
                usageKey = start;
            } else if (second == 'm' && modelKey < 0 && matches(body, start, MODEL_KEY)
                    && isFieldName(body, start, length)) {
                modelKey = start;
            }
        }
        return (long) usageKey << 32 | (modelKey & 0xffffffffL);
    }

    private static boolean matches(byte[] body, int start, byte[] key) {
        for (int i = 2; i < KEY_LENGTH; i++) {
            if (body[start + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the key-long string token at {@code start} is a field name: its first quote not escaped, a colon next. */
    private static boolean isFieldName(byte[] body, int start, int length) {
        int backslashes = 0;
        while (start - 1 - backslashes >= 0 && body[start - 1 - backslashes] == '\\') {
            backslashes++;
        }
        if (backslashes % 2 != 0) {
            return false;
        }
        for (int i = start + KEY_LENGTH; i < length; i++) {
            byte b = body[i];
            if (b == ':') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return false;
    }

    /**
     * Keeps, from the tokens of a body, the top-level {@code model} string and the numbers of the top-level
     * {@code usage} object. Only a usage object read to its end counts: a body cut or garbled inside it yields none.
     * Of the numbers, only those {@link Usage#reported} reads are kept (by their dotted path in the usage object);
     * any other number only tells that the object had one.
     */
    static final class Reading {

        private static final int MAX_DEPTH = 16;

        private final String[] names = new String[MAX_DEPTH + 1];
        private final Map<String, Long> usageFields = new HashMap<>();
        private int depth;
        private String model;
        private boolean anyNumber;
        private boolean usageComplete;

        Optional<Usage> usage() {
            return usageComplete && anyNumber ? Optional.of(Usage.reported(usageFields)) : Optional.empty();
        }

        String model() {
            return model;
        }

        void accept(JsonToken token, JsonParser parser) throws IOException {
            switch (token) {
                case START_OBJECT, START_ARRAY -> {
                    depth++;
                    if (depth <= MAX_DEPTH) {
                        names[depth] = null;
                    }
                }
                case END_OBJECT, END_ARRAY -> {
                    if (depth == 2 && "usage".equals(names[1]) && token == JsonToken.END_OBJECT) {
                        usageComplete = true;
                    }
                    depth--;
                }
                case FIELD_NAME -> {
                    if (depth <= MAX_DEPTH) {
                        names[depth] = parser.currentName();
                    }
                }
                case VALUE_STRING -> {
                    if (depth == 1 && "model".equals(names[1])) {
                        model = parser.getText();
                    }
                }
                case VALUE_NUMBER_INT -> {
                    if (depth >= 2 && depth <= MAX_DEPTH && "usage".equals(names[1])) {
                        number(parser.getLongValue());
                    }
                }
                default -> {
                    // other values carry nothing the meter needs
                }
            }
        }

        private void number(long value) {
            anyNumber = true;
            String path = depth == 2 ? names[2] : depth == 3 ? nestedPath(names[2], names[3]) : null;
            if (path != null) {
                usageFields.put(path, value);
            }
        }

        /** The dotted path of a nested number {@link Usage#reported} reads, or null for any other. */
        private static String nestedPath(String parent, String name) {
            if ("cached_tokens".equals(name)) {
                if ("prompt_tokens_details".equals(parent)) {
                    return "prompt_tokens_details.cached_tokens";
                }
                return "input_tokens_details".equals(parent) ? "input_tokens_details.cached_tokens" : null;
            }
            if ("reasoning_tokens".equals(name)) {
                if ("completion_tokens_details".equals(parent)) {
                    return "completion_tokens_details.reasoning_tokens";
                }
                return "output_tokens_details".equals(parent) ? "output_tokens_details.reasoning_tokens" : null;
            }
            return null;
        }
    }

    /** Jackson's non-blocking parser over a body too large to hold, fed chunk after chunk; stops at the first fault. */
    private static final class StreamingReader {

        private final JsonParser parser;
        private final ByteArrayFeeder feeder;
        private final Reading reading = new Reading();
        private boolean unreadable;

        StreamingReader() {
            try {
                this.parser = FACTORY.createNonBlockingByteArrayParser();
            } catch (IOException e) {
                throw new IllegalStateException("Jackson cannot create a non-blocking parser", e);
            }
            this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
        }

        /** Gives the parser's buffers back and its new field names to the shared table. */
        void close() {
            try {
                parser.close();
            } catch (IOException e) {
                unreadable = true;
            }
        }

        void feed(byte[] bytes, int length) {
            if (unreadable || length == 0) {
                return;
            }
            try {
                feeder.feedInput(bytes, 0, length);
                JsonToken token;
                while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
                    reading.accept(token, parser);
                }
            } catch (IOException | RuntimeException e) {
                unreadable = true;
            }
        }
    }
}
