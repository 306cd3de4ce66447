package dev.tollgate.metering;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The events of a stream, kept so that they can be read later, only if needed: the text of a streamed answer is
 * wanted only to estimate usage the upstream never reported, which most streams do report. Reading every event as it
 * passes would cost far more than the rest of the metering; keeping them raw would cost memory in proportion to the
 * stream. So each event is kept as its difference from the one before: the length of the prefix and of the suffix
 * they share, and the bytes between. Successive chunks of a stream differ in little more than their text, so what is
 * kept is not much more than the text itself, and replaying it gives back every event byte for byte.
 */
final class EventLog {

    private static final byte[] EMPTY = {};
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Per event: shared prefix length, shared suffix length, length of its own bytes. */
    private int[] shapes = new int[3 * 32];
    private byte[] own = new byte[1024];
    private int events;
    private int ownLength;
    /** The last event, in the array it came in (never changed by its owner). */
    private byte[] last = EMPTY;
    private int lastFrom;
    private int lastTo;

    /** Keeps the event {@code bytes[from, to)}; the array must not change afterwards. */
    void add(byte[] bytes, int from, int to) {
        int length = to - from;
        int shared = Math.min(length, lastTo - lastFrom);
        int prefix = Arrays.mismatch(last, lastFrom, lastFrom + shared, bytes, from, from + shared);
        if (prefix < 0) {
            prefix = shared;
        }
        int suffix = commonSuffix(last, lastTo, bytes, to, shared - prefix);
        int middle = length - prefix - suffix;
        if (3 * events + 3 > shapes.length) {
            shapes = Arrays.copyOf(shapes, 2 * shapes.length);
        }
        if (ownLength + middle > own.length) {
            own = Arrays.copyOf(own, Math.max(ownLength + middle, 2 * own.length));
        }
        shapes[3 * events] = prefix;
        shapes[3 * events + 1] = suffix;
        shapes[3 * events + 2] = middle;
        System.arraycopy(bytes, from + prefix, own, ownLength, middle);
        ownLength += middle;
        events++;
        last = bytes;
        lastFrom = from;
        lastTo = to;
    }

    /** How many bytes before {@code aEnd} and {@code bEnd} are the same, at most {@code limit}; eight at a time. */
    private static int commonSuffix(byte[] a, int aEnd, byte[] b, int bEnd, int limit) {
        int suffix = 0;
        while (suffix + Long.BYTES <= limit
                && (long) LONGS.get(a, aEnd - suffix - Long.BYTES) == (long) LONGS.get(b, bEnd - suffix - Long.BYTES)) {
            suffix += Long.BYTES;
        }
        while (suffix < limit && a[aEnd - 1 - suffix] == b[bEnd - 1 - suffix]) {
            suffix++;
        }
        return suffix;
    }

    /** Hands each event kept, rebuilt byte for byte, to {@code action}, in order. */
    void forEach(Consumer<byte[]> action) {
        byte[] previous = EMPTY;
        int at = 0;
        for (int i = 0; i < events; i++) {
            int prefix = shapes[3 * i];
            int suffix = shapes[3 * i + 1];
            int middle = shapes[3 * i + 2];
            byte[] event = new byte[prefix + middle + suffix];
            System.arraycopy(previous, 0, event, 0, prefix);
            System.arraycopy(own, at, event, prefix, middle);
            System.arraycopy(previous, previous.length - suffix, event, prefix + middle, suffix);
            at += middle;
            previous = event;
            action.accept(event);
        }
    }

    /** Bytes held for the events (the last event's own array aside). */
    int footprint() {
        return own.length + 4 * shapes.length;
    }
}
