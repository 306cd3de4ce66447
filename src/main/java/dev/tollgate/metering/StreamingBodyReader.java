package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.IOException;

/**
 * Reads a body too large to hold (a big embeddings answer) as it passes, with Jackson's non-blocking parser fed chunk
 * after chunk, so that it costs no memory beyond one chunk; stops at the first fault, keeping what was read before.
 */
final class StreamingBodyReader {

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final BodyReading reading = new BodyReading();
    private boolean unreadable;

    StreamingBodyReader() {
        try {
            this.parser = BodyReading.FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("Jackson cannot create a non-blocking parser", e);
        }
        this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    BodyReading reading() {
        return reading;
    }

    void feed(byte[] bytes, int length) {
        if (unreadable || length == 0) {
            return;
        }
        try {
            feeder.feedInput(bytes, 0, length);
            JsonToken token;
            while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
                reading.accept(token, parser);
            }
        } catch (IOException | RuntimeException e) {
            unreadable = true;
        }
    }

    /** Gives the parser's buffers back and its new field names to the shared table. */
    void close() {
        try {
            parser.close();
        } catch (IOException e) {
            unreadable = true;
        }
    }
}
