package dev.tollgate.metering;

import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/** The event splitter {@link ReferenceSseUsageTap} was written with. Test code only. */
final class ReferenceSseEventSplitter {

    private Buffer pending = Buffer.buffer();

    /** Hands each event completed by this chunk (its raw bytes, terminator included) to the consumer, in order. */
    void feed(Buffer chunk, Consumer<Buffer> onEvent) {
        Buffer data = pending.length() == 0 ? chunk : pending.appendBuffer(chunk);
        int eventStart = 0;
        int length = data.length();
        for (int i = 0; i < length; i++) {
            if (data.getByte(i) != '\n') {
                continue;
            }
            // An empty line: this newline directly follows another, optionally with a carriage return between.
            boolean blankLine = (i >= 1 && data.getByte(i - 1) == '\n')
                    || (i >= 2 && data.getByte(i - 1) == '\r' && data.getByte(i - 2) == '\n');
            if (blankLine && i + 1 - eventStart > 0) {
                onEvent.accept(data.getBuffer(eventStart, i + 1));
                eventStart = i + 1;
            }
        }
        pending = eventStart == length ? Buffer.buffer() : data.getBuffer(eventStart, length);
    }

    /** Whatever came after the last complete event. */
    Buffer remainder() {
        Buffer rest = pending;
        pending = Buffer.buffer();
        return rest;
    }
}
