package dev.tollgate.metering;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer for one writer thread, kept from batch to batch: a batch of usage records in
 * COPY form is built here without allocating per value, and read back from the same array. Not thread-safe.
 */
final class CopyBuffer {

    private byte[] bytes;
    private int size;

    CopyBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    void clear() {
        size = 0;
    }

    /** What was written since the last {@link #clear}, read in place: valid until the buffer is written again. */
    InputStream contents() {
        return new ByteArrayInputStream(bytes, 0, size);
    }

    void putByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
    }

    void putShort(int value) {
        ensure(2);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    void putInt(int value) {
        ensure(4);
        bytes[size++] = (byte) (value >>> 24);
        bytes[size++] = (byte) (value >>> 16);
        bytes[size++] = (byte) (value >>> 8);
        bytes[size++] = (byte) value;
    }

    void putLong(long value) {
        putInt((int) (value >>> 32));
        putInt((int) value);
    }

    void put(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
    }

    /** The characters of a string known to be ASCII, a byte each. */
    void putAscii(String value) {
        int length = value.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) value.charAt(i);
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
