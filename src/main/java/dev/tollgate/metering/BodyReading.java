package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a JSON body says: its top-level {@code model} string and the numbers of its top-level {@code usage} object,
 * taken from Jackson's tokens ({@link #accept}) or set by a reader of its own ({@link PlainUsageReader}). Only a usage
 * object read to its end counts: a body cut or garbled inside it yields none. Of the numbers, only those
 * {@link Usage#reported} reads are kept (by their dotted path in the usage object); any other number only tells that
 * the object had one.
 */
final class BodyReading {

    /**
     * Field names are canonicalized and interned (Jackson's defaults): a parser is closed after use, which merges the
     * names it met into the factory's shared table, so the next parser finds {@code usage}, {@code prompt_tokens}…
     * there instead of building them again, as the very strings the code compares them with. Only a name never seen
     * before pays for the table and the intern.
     */
    static final JsonFactory FACTORY = new JsonFactory();
    /** The paths in a usage object whose numbers {@link Usage#reported} reads, in slot order. */
    static final String[] SLOT_PATHS = Usage.REPORTED_PATHS.toArray(String[]::new);
    /** The same, as ASCII bytes. */
    static final byte[][] SLOT_NAMES = ascii(SLOT_PATHS);

    private static final int MAX_DEPTH = 16;

    private final String[] names = new String[MAX_DEPTH + 1];
    /** The numbers {@link Usage#reported} reads, at their index in {@link #SLOT_PATHS}, as it reads them. */
    private final long[] slots = new long[SLOT_PATHS.length];
    private int present;
    private int depth;
    private String model;
    private boolean anyNumber;
    private boolean usageComplete;

    static byte[][] ascii(String[] names) {
        byte[][] bytes = new byte[names.length][];
        for (int n = 0; n < names.length; n++) {
            bytes[n] = names[n].getBytes(StandardCharsets.US_ASCII);
        }
        return bytes;
    }

    Optional<Usage> usage() {
        return usageComplete && anyNumber ? Optional.of(Usage.reported(slots, present)) : Optional.empty();
    }

    String model() {
        return model;
    }

    void model(String model) {
        this.model = model;
    }

    /** How deep the tokens so far stand: 0 once the object they opened has closed. */
    int depth() {
        return depth;
    }

    boolean usageComplete() {
        return usageComplete;
    }

    /** The usage object has been read to its end. */
    void completeUsage() {
        usageComplete = true;
    }

    /** The usage object holds a number ({@code slot}: where Usage reads it, or -1 for one it does not read). */
    void number(int slot, long value) {
        anyNumber = true;
        if (slot >= 0) {
            slots[slot] = value;
            present |= 1 << slot;
        }
    }

    void clearUsage() {
        present = 0;
        anyNumber = false;
        usageComplete = false;
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
                    String path = depth == 2 ? names[2] : depth == 3 ? nestedPath(names[2], names[3]) : null;
                    number(path == null ? -1 : slot(path), parser.getLongValue());
                }
            }
            default -> {
                // other values carry nothing the meter needs
            }
        }
    }

    private static int slot(String path) {
        for (int n = 0; n < SLOT_PATHS.length; n++) {
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
