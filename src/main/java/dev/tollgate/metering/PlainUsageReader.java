package dev.tollgate.metering;

import java.util.Arrays;

import static dev.tollgate.metering.JsonBytes.skipBlanks;

/**
 * Reads a usage object of the plain shape every upstream sends, by a few lines of its own: names in printable ASCII
 * without escapes, values integers of up to 18 digits or objects of such. Creating a Jackson parser alone costs more
 * than the meter's whole budget per answer; any other shape is left to Jackson.
 */
final class PlainUsageReader {

    /** The objects in a usage object with a number Usage reads, each holding the name at its index % 2 below. */
    private static final byte[][] NESTED_PARENTS = BodyReading.ascii(new String[] {"prompt_tokens_details",
        "completion_tokens_details", "input_tokens_details", "output_tokens_details"});
    private static final byte[][] NESTED_NAMES = BodyReading.ascii(new String[] {"cached_tokens", "reasoning_tokens"});
    private static final int[] NESTED_SLOTS = {2, 6, 3, 7};

    private PlainUsageReader() {
    }

    /**
     * The usage object at {@code at} read into {@code reading}, when it is of the plain shape; false, with
     * {@code reading} partly filled, for any other (Jackson reads that one), or for a fault.
     */
    static boolean read(byte[] body, int at, int length, BodyReading reading) {
        int i = skipBlanks(body, at + 1, length);
        int parent = -1; // inside a nested object: the index of its name among NESTED_PARENTS (-2: another name)
        if (i < length && body[i] == '}') {
            reading.completeUsage();
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
                int slot;
                if (parent == -1) {
                    slot = indexOf(BodyReading.SLOT_NAMES, body, nameStart, nameLength);
                } else if (parent >= 0) {
                    int child = indexOf(NESTED_NAMES, body, nameStart, nameLength);
                    slot = child == -1 || child != parent % 2 ? -1 : NESTED_SLOTS[parent];
                } else {
                    slot = -1;
                }
                reading.number(slot, negative ? -value : value);
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
                    reading.completeUsage();
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
}
