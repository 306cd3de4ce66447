package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Usage from a JSON response body: the top-level {@code model} and the numbers inside the top-level {@code usage}
 * object, nothing else.
 *
 * <p>A body of up to {@link #HOLD_LIMIT} bytes (nearly every chat, completions and Responses answer) is held as it
 * passes and read only when its usage is asked for, with Jackson's blocking parser, several times cheaper than the
 * non-blocking one. Once the body has ended it is read from its end first: {@code usage} comes last or nearly so,
 * and {@code model} shortly before it. Walking back from the end, counting brackets and skipping strings, finds the
 * two as field names of the top-level object that closes there; then only the usage object is read as JSON (the
 * plain shape every upstream sends by a small reader of its own, any other by Jackson) and the model's string taken
 * as it stands. Where that walk cannot tell (another top-level usage or model, escaped field names, an unusual model),
 * the parser starts at the earlier of the last {@code "usage":} and the last {@code "model":} and reads from there as
 * the rest of the top-level object, kept only if it proves right: the rest closes exactly where the body ends, with a
 * string {@code model} and a whole {@code usage} object at its top level. Otherwise, and for a body broken off before
 * its end, the body is read from its start. A larger body
 * (a big embeddings answer) is not held: it is read as it passes with Jackson's non-blocking parser, so that it
 * costs no memory beyond one chunk.
 *
 * <p>Read from its start, a body the parser cannot read yields what was read before the fault: a usage object
 * complete by then, and the model. Read from its end, only that end is parsed: a fault in front of a well-formed end
 * goes unnoticed, and so does one between the keys that leaves brackets balanced, which no upstream sending JSON
 * shows.
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
    /** The paths in a usage object whose numbers {@link Usage#reported} reads, in the order Reading keeps them. */
    private static final String[] SLOT_PATHS = Usage.REPORTED_PATHS.toArray(String[]::new);
    private static final byte[][] SLOT_NAMES = ascii(SLOT_PATHS);
    /** The objects in a usage object with a number Usage reads, each holding the name at its index % 2 below. */
    private static final byte[][] NESTED_PARENTS = ascii(new String[] {"prompt_tokens_details",
        "completion_tokens_details", "input_tokens_details", "output_tokens_details"});
    private static final byte[][] NESTED_NAMES = ascii(new String[] {"cached_tokens", "reasoning_tokens"});
    private static final int[] NESTED_SLOTS = {2, 6, 3, 7};
    private static final int MAX_NESTING = FACTORY.streamReadConstraints().getMaxNestingDepth();

    private static byte[][] ascii(String[] names) {
        byte[][] bytes = new byte[names.length][];
        for (int n = 0; n < names.length; n++) {
            bytes[n] = names[n].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

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
        Reading reading = readAtTopLevelKeys(body, length);
        if (reading == null) {
            reading = readFromEnd(body, length);
        }
        return reading != null ? reading : readFromStart(body, length);
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
     * The body read from its end when the top-level object closing there holds a {@code usage} object and a
     * {@code model} string, found walking back from the end: brackets counted, strings skipped, nothing else checked,
     * so that a fault among those bytes that leaves the brackets balanced goes unnoticed, like a fault in front of
     * them. Only the usage object is read as JSON (by {@link #readUsageObject}, else Jackson), and the model's string
     * as it stands when it is printable ASCII without escapes (else Jackson). Null, for the readings that follow to
     * decide, wherever {@link #readFromEnd}'s reading might differ: another top-level {@code usage} or {@code model},
     * or a top-level field name spelled with escapes, between the earlier of the two and the end; a model that is no
     * plain string; a usage that is not a whole object.
     */
    static Reading readAtTopLevelKeys(byte[] body, int length) {
        int i = skipBlanksBack(body, length - 1);
        if (i < 0 || body[i] != '}') {
            return null;
        }
        int depth = 1;
        int usageKey = -1;
        int modelKey = -1;
        for (i--; i >= 0; i--) {
            byte b = body[i];
            if (b == '"') {
                if (escapedQuote(body, i)) {
                    return null; // no string ends with an escaped quote
                }
                int close = i;
                boolean escaped = false;
                while (true) {
                    if (--i < 0) {
                        return null;
                    }
                    b = body[i];
                    if (b == '\\') {
                        escaped = true;
                    } else if (b == '"' && !escapedQuote(body, i)) {
                        break;
                    }
                }
                if (depth == 1 && isColon(body, close + 1, length)) {
                    if (escaped) {
                        return null;
                    }
                    if (close - i == KEY_LENGTH - 1 && matchesKey(body, i, USAGE_KEY)) {
                        if (usageKey >= 0) {
                            return null;
                        }
                        usageKey = i;
                    } else if (close - i == KEY_LENGTH - 1 && matchesKey(body, i, MODEL_KEY)) {
                        if (modelKey >= 0) {
                            return null;
                        }
                        modelKey = i;
                    }
                    if (usageKey >= 0 && modelKey >= 0) {
                        return readAtKeys(body, length, usageKey, modelKey);
                    }
                }
            } else if (b == '}' || b == ']') {
                if (++depth > MAX_NESTING) { // where Jackson would stop reading
                    return null;
                }
            } else if (b == '{' || b == '[') {
                if (--depth == 0) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Whether the quote at {@code at} is escaped: an odd number of backslashes right before it. */
    private static boolean escapedQuote(byte[] body, int at) {
        int backslashes = 0;
        while (at - 1 - backslashes >= 0 && body[at - 1 - backslashes] == '\\') {
            backslashes++;
        }
        return backslashes % 2 != 0;
    }

    private static boolean matchesKey(byte[] body, int start, byte[] key) {
        return body[start + 1] == key[1] && matches(body, start, key);
    }

    private static Reading readAtKeys(byte[] body, int length, int usageKey, int modelKey) {
        Reading reading = new Reading();
        int model = valueStart(body, modelKey, length);
        if (model < 0 || body[model] != '"') {
            return null;
        }
        int end = model + 1;
        byte b;
        while (end < length && (b = body[end]) != '"') {
            if (b < 0x20 || b == '\\') { // not ASCII (negative), a control character or an escape: Jackson decodes it
                return readModel(body, length, model, reading) ? readUsage(body, length, usageKey, reading) : null;
            }
            end++;
        }
        if (end >= length) {
            return null;
        }
        reading.model = new String(body, model + 1, end - model - 1, StandardCharsets.ISO_8859_1);
        return readUsage(body, length, usageKey, reading);
    }

    /** The model string at {@code at} read by Jackson, as the reading from the end would; false if no string. */
    private static boolean readModel(byte[] body, int length, int at, Reading reading) {
        try (JsonParser parser = FACTORY.createParser(body, at, length - at)) {
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                return false;
            }
            reading.model = parser.getText();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The top-level usage object whose key is at {@code key}, read into {@code reading}; null unless whole. */
    private static Reading readUsage(byte[] body, int length, int key, Reading reading) {
        int at = valueStart(body, key, length);
        if (at < 0 || body[at] != '{') {
            return null;
        }
        if (readUsageObject(body, at, length, reading)) {
            return reading;
        }
        reading.clearUsage();
        reading.enterUsage();
        try (JsonParser parser = FACTORY.createParser(body, at, length - at)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
                if (reading.depth == 1) {
                    return reading.usageComplete ? reading : null;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The usage object at {@code at} read into {@code reading}, when it is of the plain shape every upstream sends:
     * names in printable ASCII without escapes, values integers of up to 18 digits or objects of such; false, with
     * {@code reading} partly filled, for any other (Jackson reads that one), or for a fault.
     */
    static boolean readUsageObject(byte[] body, int at, int length, Reading reading) {
        int i = skipBlanks(body, at + 1, length);
        int parent = -1; // inside a nested object: the index of its name among NESTED_PARENTS (-2: another name)
        if (i < length && body[i] == '}') {
            reading.usageComplete = true;
            return true;
        }
        while (true) {
            if (i >= length || body[i] != '"') {
                return false;
            }
            int nameStart = ++i;
            while (i < length && body[i] != '"') {
                byte c = body[i];
                if (c < 0x20 || c == '\\') {
                    return false;
                }
                i++;
            }
            if (i >= length) {
                return false;
            }
            int nameLength = i - nameStart;
            i = skipBlanks(body, i + 1, length);
            if (i >= length || body[i] != ':') {
                return false;
            }
            i = skipBlanks(body, i + 1, length);
            if (i >= length) {
                return false;
            }
            byte c = body[i];
            if (c == '{') {
                if (parent != -1) {
                    return false; // deeper than Usage reads: Jackson's
                }
                parent = indexOf(NESTED_PARENTS, body, nameStart, nameLength);
                if (parent == -1) {
                    parent = -2;
                }
                i = skipBlanks(body, i + 1, length);
                if (i < length && body[i] == '}') {
                    parent = -1;
                    i++;
                } else {
                    continue;
                }
            } else {
                boolean negative = c == '-';
                if (negative) {
                    i++;
                }
                int digits = i;
                long value = 0;
                while (i < length && body[i] >= '0' && body[i] <= '9') {
                    value = value * 10 + (body[i] - '0');
                    i++;
                }
                int count = i - digits;
                if (count == 0 || count > 18 || count > 1 && body[digits] == '0' || i >= length
                        || body[i] == '.' || body[i] == 'e' || body[i] == 'E') {
                    return false;
                }
                reading.anyNumber = true;
                int slot;
                if (parent == -1) {
                    slot = indexOf(SLOT_NAMES, body, nameStart, nameLength);
                } else if (parent >= 0) {
                    int child = indexOf(NESTED_NAMES, body, nameStart, nameLength);
                    slot = child == -1 || child != parent % 2 ? -1 : NESTED_SLOTS[parent];
                } else {
                    slot = -1;
                }
                if (slot >= 0) {
                    reading.set(slot, negative ? -value : value);
                }
            }
            // after a value: a comma, or the end of the object it is in
            while (true) {
                i = skipBlanks(body, i, length);
                if (i >= length) {
                    return false;
                }
                byte after = body[i++];
                if (after == ',') {
                    i = skipBlanks(body, i, length);
                    break;
                }
                if (after != '}') {
                    return false;
                }
                if (parent == -1) {
                    reading.usageComplete = true;
                    return true;
                }
                parent = -1;
            }
        }
    }

    private static int indexOf(byte[][] names, byte[] body, int start, int length) {
        for (int n = 0; n < names.length; n++) {
            byte[] name = names[n];
            if (name.length == length && Arrays.equals(name, 0, length, body, start, start + length)) {
                return n;
            }
        }
        return -1;
    }

    /** Where the value of the field named at {@code key} starts (past the colon and any blanks), -1 at the end. */
    private static int valueStart(byte[] body, int key, int length) {
        int i = skipBlanks(body, key + KEY_LENGTH, length);
        if (i >= length || body[i] != ':') {
            return -1;
        }
        i = skipBlanks(body, i + 1, length);
        return i < length ? i : -1;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private static int skipBlanks(byte[] body, int i, int length) {
        while (i < length && isBlank(body[i])) {
            i++;
        }
        return i;
    }

    private static int skipBlanksBack(byte[] body, int i) {
        while (i >= 0 && isBlank(body[i])) {
            i--;
        }
        return i;
    }

    private static boolean isColon(byte[] body, int i, int length) {
        i = skipBlanks(body, i, length);
        return i < length && body[i] == ':';
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
        /** The numbers {@link Usage#reported} reads, at their index in {@link #SLOT_NAMES}, as it reads them. */
        private final long[] slots = new long[SLOT_NAMES.length];
        private int present;
        private int depth;
        private String model;
        private boolean anyNumber;
        private boolean usageComplete;

        Optional<Usage> usage() {
            return usageComplete && anyNumber ? Optional.of(Usage.reported(slots, present)) : Optional.empty();
        }

        void set(int slot, long value) {
            slots[slot] = value;
            present |= 1 << slot;
        }

        void clearUsage() {
            present = 0;
            anyNumber = false;
            usageComplete = false;
        }

        String model() {
            return model;
        }

        /** Stands inside the top-level usage object's value, about to read its opening brace. */
        void enterUsage() {
            depth = 1;
            names[1] = "usage";
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
            int slot = path == null ? -1 : slot(path);
            if (slot >= 0) {
                set(slot, value);
            }
        }

        private static int slot(String path) {
            for (int n = 0; n < SLOT_NAMES.length; n++) {
                if (SLOT_PATHS[n].equals(path)) {
                    return n;
                }
            }
            return -1;
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
