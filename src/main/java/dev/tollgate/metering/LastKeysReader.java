package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

import static dev.tollgate.metering.BodyReading.FACTORY;
import static dev.tollgate.metering.JsonBytes.KEY_LENGTH;
import static dev.tollgate.metering.JsonBytes.MODEL_KEY;
import static dev.tollgate.metering.JsonBytes.USAGE_KEY;
import static dev.tollgate.metering.JsonBytes.escapedQuote;
import static dev.tollgate.metering.JsonBytes.isColon;
import static dev.tollgate.metering.JsonBytes.matches;

/**
 * Reads a whole body with Jackson from the earlier of the last {@code "usage":} and the last {@code "model":}, as the
 * rest of the top-level object, where {@link TopLevelKeysReader} cannot tell (another top-level usage or model,
 * escaped field names, an unusual model). The reading is kept only if it proves right: the rest closes exactly where
 * the body ends, with a string {@code model} and a whole {@code usage} object at its top level.
 */
final class LastKeysReader {

    private LastKeysReader() {
    }

    /** The body's reading, or null unless the rest is exactly such a rest, holding both keys, closing at the end. */
    static BodyReading read(byte[] body, int length) {
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
        BodyReading reading = new BodyReading();
        try (JsonParser parser = FACTORY.createParser(body, from - 1, length - from + 1)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
                if (reading.depth() == 0) {
                    // The object closed: the body must end here, or the keys were not top-level ones.
                    return parser.nextToken() == null && reading.usageComplete() && reading.model() != null
                            ? reading : null;
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

    /** Whether the key-long string token at {@code start} is a field name: its first quote not escaped, a colon next. */
    private static boolean isFieldName(byte[] body, int start, int length) {
        return !escapedQuote(body, start) && isColon(body, start + KEY_LENGTH, length);
    }
}
