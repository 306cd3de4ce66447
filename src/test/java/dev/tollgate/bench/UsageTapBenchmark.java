package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.JsonUsageTap;
import dev.tollgate.metering.SseUsageTap;
import dev.tollgate.metering.UsageTap;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * How fast the usage taps read answers: MB/s and microseconds per answer, over the recorded real-shape fixtures cut
 * into network-sized chunks. Run by {@code bench/parser.sh}; prints figures, asserts nothing.
 */
public final class UsageTapBenchmark {

    private static final Logger LOG = Logger.getLogger(UsageTapBenchmark.class);
    private static final int CHUNK = 1400;
    /** Keeps the JIT from dropping work whose result nobody reads. */
    static volatile long consumed;

    public static void main(String[] args) throws IOException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        ObjectMapper mapper = new ObjectMapper();
        byte[] json = fixture("chat-completion.json");
        byte[] stream = longStream(fixture("chat-stream.sse"), 200);
        measure("json answer (" + json.length + " B)", json, JsonUsageTap::new, seconds);
        measure("sse stream, 200 content chunks (" + stream.length + " B)", stream,
                () -> new SseUsageTap(mapper, true), seconds);
    }

    /** A stream with {@code deltas} content chunks, like a real answer of that many tokens. */
    private static byte[] longStream(byte[] fixture, int deltas) {
        String text = new String(fixture, java.nio.charset.StandardCharsets.UTF_8);
        String[] events = text.split("\n\n");
        StringBuilder stream = new StringBuilder(events[0]).append("\n\n").append(events[1]).append("\n\n");
        for (int i = 0; i < deltas; i++) {
            stream.append(events[2]).append("\n\n");
        }
        for (int i = 3; i < events.length; i++) {
            stream.append(events[i]).append("\n\n");
        }
        return stream.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void measure(String name, byte[] body, Supplier<UsageTap> taps, int seconds) {
        List<Buffer> chunks = new ArrayList<>();
        for (int from = 0; from < body.length; from += CHUNK) {
            chunks.add(Buffer.buffer().appendBytes(body, from, Math.min(CHUNK, body.length - from)));
        }
        run(chunks, taps, 2_000_000_000L); // warm-up
        long[] result = run(chunks, taps, seconds * 1_000_000_000L);
        double elapsed = result[1] / 1e9;
        double megabytes = (double) result[0] * body.length / 1e6;
        LOG.infof("usage tap: %-48s %8.0f MB/s  %8.2f us/answer", name, megabytes / elapsed, result[1] / 1e3 / result[0]);
    }

    private static long[] run(List<Buffer> chunks, Supplier<UsageTap> taps, long nanos) {
        long start = System.nanoTime();
        long answers = 0;
        long sink = 0;
        while (System.nanoTime() - start < nanos) {
            UsageTap tap = taps.get();
            for (Buffer chunk : chunks) {
                sink += tap.onChunk(chunk.copy()).length();
            }
            tap.onEnd();
            sink += tap.usage().orElseThrow().totalTokens();
            answers++;
        }
        consumed = sink;
        return new long[] {answers, System.nanoTime() - start};
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = UsageTapBenchmark.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }
}
