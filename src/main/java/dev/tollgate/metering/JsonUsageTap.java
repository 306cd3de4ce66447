package dev.tollgate.metering;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import java.util.Arrays;
import java.util.Optional;

/**
 * Usage from a JSON answer (chat, completions, embeddings, Responses): the top-level {@code model} and the numbers
 * inside the top-level {@code usage} object, nothing else.
 *
 * <p>A body of up to {@link #HOLD_LIMIT} bytes (nearly every chat, completions and Responses answer) is held as it
 * passes and read only when its usage is asked for, with a blocking parse, several times cheaper than a non-blocking
 * one. A body that ended is read from its end ({@link TopLevelKeysReader}), else from its last keys
 * ({@link LastKeysReader}), else whole ({@link WholeBodyReader}); one broken off before its end only whole. A larger
 * body is not held: it is read as it passes ({@link StreamingBodyReader}).
 */
final class JsonUsageTap implements UsageTap {

    /** Bodies up to this size are held and read at their end; larger ones are read as they pass. */
    static final int HOLD_LIMIT = 64 * 1024;

    private static final byte[] EMPTY = {};

    /**
     * The body while it is a single chunk (most answers arrive in one): held as it came, not copied. Vert.x does not
     * reuse or release the heap buffers it hands out, so it stays as read while the caller is sent the same bytes.
     */
    private Buffer first;
    /** The body so far, once it is more than one chunk, while small enough to hold; null once read as it passes. */
    private byte[] held = EMPTY;
    /** Bytes of the body held, in {@link #first} or {@link #held}. */
    private int heldLength;
    /** What the held body says, and how many of its bytes that reading covered (-1: not read yet). */
    private BodyReading reading;
    private int readLength = -1;
    /** Reads the body as it passes, once it outgrew {@link #HOLD_LIMIT}. */
    private StreamingBodyReader streaming;
    /** The body ended as the upstream meant it to: only then may it be read from its end. */
    private boolean ended;

    @Override
    public Buffer onChunk(Buffer chunk) {
        int length = chunk.length();
        if (length == 0) {
            return chunk;
        }
        if (first == null && heldLength == 0 && streaming == null && length <= HOLD_LIMIT) {
            first = chunk;
            heldLength = length;
            return chunk;
        }
        if (first != null) {
            held = first.getBytes();
            first = null;
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
            streaming = new StreamingBodyReader();
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

    private BodyReading read() {
        if (streaming != null) {
            return streaming.reading();
        }
        if (readLength != heldLength) {
            byte[] body = first != null ? inPlace(first) : held;
            reading = ended ? readEnded(body, heldLength) : WholeBodyReader.read(body, heldLength);
            readLength = heldLength;
        }
        return reading;
    }

    /** The chunk's bytes from index 0 of an array: its own heap array where it starts there, else a copy. */
    private static byte[] inPlace(Buffer chunk) {
        ByteBuf bytes = chunk.getByteBuf();
        return bytes.hasArray() && bytes.arrayOffset() + bytes.readerIndex() == 0 ? bytes.array() : chunk.getBytes();
    }

    /** A body held whole: read from its end if that proves right, else from its start. */
    static BodyReading readEnded(byte[] body, int length) {
        BodyReading reading = TopLevelKeysReader.read(body, length);
        if (reading == null) {
            reading = LastKeysReader.read(body, length);
        }
        return reading != null ? reading : WholeBodyReader.read(body, length);
    }
}
