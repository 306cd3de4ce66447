package dev.tollgate.metering;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * Journal lines as they go to disk: UTF-8 bytes in one reusable, growable array, written field by field without an
 * intermediate String ({@link JournalFormat} says what the fields are). A string field is escaped so that it can hold
 * anything: {@code \\}, tab, line feed and carriage return become {@code \\ \t \n \r}, a lone surrogate (which UTF-8
 * cannot carry) {@code \}{@code uXXXX}, and null is {@code \N}. Used by one thread at a time.
 */
final class JournalLines {

    static final byte SEPARATOR = '\t';
    static final byte END = '\n';
    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;

    JournalLines(int capacity) {
        this.bytes = new byte[capacity];
    }

    void clear() {
        length = 0;
    }

    int length() {
        return length;
    }

    boolean isEmpty() {
        return length == 0;
    }

    /** The bytes written, to hand to a channel (valid until the next change). */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes, 0, length);
    }

    private JournalLines raw(byte[] line) {
        ensure(line.length);
        System.arraycopy(line, 0, bytes, length, line.length);
        length += line.length;
        return this;
    }

    /** The start of a line: its kind and the version of its layout. */
    JournalLines begin(char kind, char version) {
        ensure(2);
        bytes[length++] = (byte) kind;
        bytes[length++] = (byte) version;
        return this;
    }

    void end() {
        ensure(1);
        bytes[length++] = END;
    }

    JournalLines field(String value) {
        separator();
        if (value == null) {
            return raw(NULL);
        }
        int chars = value.length();
        // At most 6 bytes per char (an escaped lone surrogate); most strings are short ASCII.
        ensure(chars * 6);
        for (int i = 0; i < chars; i++) {
            char c = value.charAt(i);
            if (c < 0x80) {
                switch (c) {
                    case '\\' -> escape('\\');
                    case '\t' -> escape('t');
                    case '\n' -> escape('n');
                    case '\r' -> escape('r');
                    default -> bytes[length++] = (byte) c;
                }
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xC0 | c >> 6);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(value.charAt(i + 1))) {
                int code = Character.toCodePoint(c, value.charAt(++i));
                bytes[length++] = (byte) (0xF0 | code >> 18);
                bytes[length++] = (byte) (0x80 | code >> 12 & 0x3F);
                bytes[length++] = (byte) (0x80 | code >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | code & 0x3F);
            } else if (Character.isSurrogate(c)) {
                escape('u');
                bytes[length++] = HEX[c >> 12 & 0xF];
                bytes[length++] = HEX[c >> 8 & 0xF];
                bytes[length++] = HEX[c >> 4 & 0xF];
                bytes[length++] = HEX[c & 0xF];
            } else {
                bytes[length++] = (byte) (0xE0 | c >> 12);
                bytes[length++] = (byte) (0x80 | c >> 6 & 0x3F);
                bytes[length++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return this;
    }

    JournalLines field(Enum<?> value) {
        return field(value == null ? null : value.name());
    }

    JournalLines field(boolean value) {
        separator();
        ensure(1);
        bytes[length++] = (byte) (value ? '1' : '0');
        return this;
    }

    JournalLines field(long value) {
        separator();
        ensure(20);
        if (value < 0) {
            return raw(Long.toString(value).getBytes(StandardCharsets.US_ASCII)); // never a count; kept exact all the same
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        for (int at = length + digits - 1; at >= length; at--) {
            bytes[at] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /** A UUID in its canonical form (8-4-4-4-12 lowercase hex digits). */
    JournalLines field(UUID value) {
        separator();
        ensure(36);
        hex(value.getMostSignificantBits() >>> 32, 8);
        bytes[length++] = '-';
        hex(value.getMostSignificantBits() >>> 16, 4);
        bytes[length++] = '-';
        hex(value.getMostSignificantBits(), 4);
        bytes[length++] = '-';
        hex(value.getLeastSignificantBits() >>> 48, 4);
        bytes[length++] = '-';
        hex(value.getLeastSignificantBits(), 12);
        return this;
    }

    private void hex(long value, int digits) {
        for (int at = length + digits - 1; at >= length; at--) {
            bytes[at] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
        length += digits;
    }

    private void escape(char code) {
        bytes[length++] = '\\';
        bytes[length++] = (byte) code;
    }

    private void separator() {
        ensure(1);
        bytes[length++] = SEPARATOR;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
