package dev.tollgate.metering;

/**
 * What the JSON body readers look for in the raw bytes, without a parser: the {@code "usage"} and {@code "model"}
 * keys, blanks, colons and escaped quotes.
 */
final class JsonBytes {

    static final byte[] USAGE_KEY = {'"', 'u', 's', 'a', 'g', 'e', '"'};
    static final byte[] MODEL_KEY = {'"', 'm', 'o', 'd', 'e', 'l', '"'};
    /** The length of either key, quotes included. */
    static final int KEY_LENGTH = 7;

    private JsonBytes() {
    }

    /**
     * Whether the key-long bytes at {@code start} end as {@code key} does from its third byte on: the caller has
     * seen the opening quote and the first letter.
     */
    static boolean matches(byte[] body, int start, byte[] key) {
        for (int i = 2; i < KEY_LENGTH; i++) {
            if (body[start + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the quote at {@code at} is escaped: an odd number of backslashes right before it. */
    static boolean escapedQuote(byte[] body, int at) {
        int backslashes = 0;
        while (at - 1 - backslashes >= 0 && body[at - 1 - backslashes] == '\\') {
            backslashes++;
        }
        return backslashes % 2 != 0;
    }

    static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    static int skipBlanks(byte[] body, int i, int length) {
        while (i < length && isBlank(body[i])) {
            i++;
        }
        return i;
    }

    static int skipBlanksBack(byte[] body, int i) {
        while (i >= 0 && isBlank(body[i])) {
            i--;
        }
        return i;
    }

    /** Whether a colon comes at {@code i}, after any blanks. */
    static boolean isColon(byte[] body, int i, int length) {
        i = skipBlanks(body, i, length);
        return i < length && body[i] == ':';
    }
}
