package dev.tollgate.metering;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Recorded real-shape AOAI bodies (src/test/resources/fixtures), and ways to cut them as a network might. */
final class Fixtures {

    private Fixtures() {
    }

    static byte[] load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body in two chunks cut at {@code at}: every byte offset gets tried, UTF-8 characters included. */
    static List<Buffer> cutAt(byte[] body, int at) {
        List<Buffer> chunks = new ArrayList<>();
        chunks.add(Buffer.buffer().appendBytes(body, 0, at));
        chunks.add(Buffer.buffer().appendBytes(body, at, body.length - at));
        return chunks;
    }

    /** The body one byte at a time. */
    static List<Buffer> bytewise(byte[] body) {
        List<Buffer> chunks = new ArrayList<>();
        for (byte b : body) {
            chunks.add(Buffer.buffer(new byte[] {b}));
        }
        return chunks;
    }
}
