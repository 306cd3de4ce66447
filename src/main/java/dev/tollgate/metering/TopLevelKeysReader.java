package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.tollgate.metering.BodyReading.FACTORY;
import static dev.tollgate.metering.JsonBytes.KEY_LENGTH;
import static dev.tollgate.metering.JsonBytes.MODEL_KEY;
import static dev.tollgate.metering.JsonBytes.USAGE_KEY;
import static dev.tollgate.metering.JsonBytes.escapedQuote;
import static dev.tollgate.metering.JsonBytes.isColon;
import static dev.tollgate.metering.JsonBytes.matches;
import static dev.tollgate.metering.JsonBytes.skipBlanks;
import static dev.tollgate.metering.JsonBytes.skipBlanksBack;

/**
 * Reads a whole body from its end, the cheapest way: {@code usage} comes last or nearly so, and {@code model} shortly
 * before it. Walking back from the end, brackets counted and strings skipped, finds the two as field names of the
 * top-level object that closes there; then only the usage object is read as JSON ({@link PlainUsageReader}, else
 * Jackson) and the model's string taken as it stands when it is printable ASCII without escapes (else Jackson).
 * Nothing else is checked, so a fault among those bytes that leaves the brackets balanced goes unnoticed, like a fault
 * in front of them.
 */
final class TopLevelKeysReader {

    private static final int MAX_NESTING = FACTORY.streamReadConstraints().getMaxNestingDepth();

    private TopLevelKeysReader() {
    }

    /**
     * The body's reading, or null, for the readings that follow to decide, wherever {@link LastKeysReader}'s reading
     * might differ: another top-level {@code usage} or {@code model}, or a top-level field name spelled with escapes,
     * between the earlier of the two and the end; a model that is no plain string; a usage that is not a whole object.
     */
    static BodyReading read(byte[] body, int length) {
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

    private static boolean matchesKey(byte[] body, int start, byte[] key) {
        return body[start + 1] == key[1] && matches(body, start, key);
    }

    private static BodyReading readAtKeys(byte[] body, int length, int usageKey, int modelKey) {
        BodyReading reading = new BodyReading();
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
        reading.model(new String(body, model + 1, end - model - 1, StandardCharsets.ISO_8859_1));
        return readUsage(body, length, usageKey, reading);
    }

    /** The model string at {@code at} read by Jackson, as the reading from the keys would; false if no string. */
    private static boolean readModel(byte[] body, int length, int at, BodyReading reading) {
        try (JsonParser parser = FACTORY.createParser(body, at, length - at)) {
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                return false;
            }
            reading.model(parser.getText());
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The top-level usage object whose key is at {@code key}, read into {@code reading}; null unless whole. */
    private static BodyReading readUsage(byte[] body, int length, int key, BodyReading reading) {
        int at = valueStart(body, key, length);
        if (at < 0 || body[at] != '{') {
            return null;
        }
        if (PlainUsageReader.read(body, at, length, reading)) {
            return reading;
        }
        reading.clearUsage();
        reading.enterUsage();
        try (JsonParser parser = FACTORY.createParser(body, at, length - at)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
                if (reading.depth() == 1) {
                    return reading.usageComplete() ? reading : null;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
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
}
