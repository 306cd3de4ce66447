package dev.tollgate.metering;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a server-sent-event stream into whole events as its bytes arrive. An event ends at an empty line ({@code \n\n}
 * or {@code \r\n\r\n}); the network may split it anywhere, even inside a UTF-8 character, so the unfinished tail is
 * held until the rest comes. Only the tail is held, never the stream.
 */
final class SseEventSplitter {

    /** Told each complete event, in order; answers whether it is passed on. */
    interface Events {
        /**
         * The event is {@code bytes[from, to)}, its terminator included; the array is not changed afterwards.
         * {@code text} is the same bytes as ISO-8859-1, one char per byte, for {@link String#indexOf}, which the JIT
         * turns into vector instructions.
         */
        boolean onEvent(byte[] bytes, String text, int from, int to);
    }

    private static final byte[] EMPTY = {};

    private byte[] pending = EMPTY;

    /**
     * Hands each event completed by this chunk to {@code events}; returns what to pass on now: the completed events
     * less those {@code events} turned down, byte for byte.
     */
    Buffer feed(Buffer chunk, Events events) {
        byte[] data = join(chunk);
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int length = data.length;
        int eventStart = 0;
        int passedFrom = 0;
        Buffer passed = null;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            // An empty line: this newline directly follows another, optionally with a carriage return between.
            boolean blankLine = (i >= 1 && data[i - 1] == '\n')
                    || (i >= 2 && data[i - 1] == '\r' && data[i - 2] == '\n');
            if (blankLine) {
                if (!events.onEvent(data, text, eventStart, i + 1)) {
                    passed = append(passed, data, passedFrom, eventStart);
                    passedFrom = i + 1;
                }
                eventStart = i + 1;
            }
        }
        boolean whole = pending.length == 0 && passedFrom == 0 && eventStart == length;
        pending = eventStart == length ? EMPTY : Arrays.copyOfRange(data, eventStart, length);
        // The common case, a chunk of whole events all passed on, goes as it came.
        return whole ? chunk : append(passed, data, passedFrom, eventStart);
    }

    /** Whatever came after the last complete event. */
    Buffer remainder() {
        Buffer rest = Buffer.buffer(pending);
        pending = EMPTY;
        return rest;
    }

    /** The held tail followed by the chunk, in a new array. */
    private byte[] join(Buffer chunk) {
        if (pending.length == 0) {
            return chunk.getBytes();
        }
        byte[] data = Arrays.copyOf(pending, pending.length + chunk.length());
        chunk.getBytes(0, chunk.length(), data, pending.length);
        return data;
    }

    /**
     * {@code passed} followed by {@code data[from, to)}. A first piece is not copied but wrapped ({@code data} is
     * never changed), unreleasable like Vert.x's own buffers, so that writing it does not free it under the caller;
     * more pieces (only around a withheld event) are copied into a new buffer.
     */
    private static Buffer append(Buffer passed, byte[] data, int from, int to) {
        if (passed == null) {
            return Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(data, from, to - from)));
        }
        if (to == from) {
            return passed;
        }
        return Buffer.buffer(passed.length() + to - from).appendBuffer(passed).appendBytes(data, from, to - from);
    }
}
