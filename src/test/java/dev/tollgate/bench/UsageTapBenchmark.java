package dev.tollgate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageTap;
import dev.tollgate.metering.UsageTaps;
import io.vertx.core.buffer.Buffer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How fast the usage taps read answers: MB/s, microseconds per answer, and that as a share of the gateway's own CPU
 * per request, over the recorded real-shape fixtures cut into network-sized chunks. Each tap is measured next to a
 * baseline in the same run: a plain Jackson {@code readTree} of the same bytes (the whole answer, or every event of the
 * stream, as the first stream tap did). The same chunks are fed to every answer: a tap never changes a chunk, and
 * copying them each time would add the harness' own cost to every figure. Run by {@code bench/parser.sh}; prints
 * figures, asserts nothing.
 */
public final class UsageTapBenchmark {

    private static final Logger LOG = Logger.getLogger(UsageTapBenchmark.class);
    private static final int CHUNK = 1400;
    /** The gateway's CPU per request (1.2 KB chat JSON), measured end to end with bench/run.sh. */
    private static final double GATEWAY_MICROS_PER_REQUEST = 105;
    /** Keeps the JIT from dropping work whose result nobody reads. */
    static volatile long consumed;

    public static void main(String[] args) throws IOException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String only = args.length > 1 ? args[1] : "";
        ObjectMapper mapper = new ObjectMapper();
        UsageTaps taps = new UsageTaps(mapper);
        Supplier<UsageTap> jsonTap = () -> taps.forAnswer("chat/completions", "application/json", false);
        byte[] json = fixture("chat-completion.json");
        byte[] stream = longStream(fixture("chat-stream.sse"), 200);
        byte[] embeddings = embeddings(100_000);
        if (only.isEmpty() || only.equals("json")) {
            compare("json answer (" + json.length + " B)", json, seconds,
                    "baseline readTree", () -> new ReadTreeTap(mapper), "JsonUsageTap", jsonTap);
        }
        if (only.isEmpty() || only.equals("sse")) {
            compare("sse stream, 200 content chunks (" + stream.length + " B)", stream, seconds,
                    "baseline readTree per event", () -> new ReadTreePerEventTap(mapper),
                    "ChatSseUsageTap", () -> taps.forAnswer("chat/completions", "text/event-stream", true));
        }
        if (only.isEmpty() || only.equals("embeddings")) {
            compare("embeddings answer (" + embeddings.length + " B)", embeddings, seconds,
                    "baseline readTree", () -> new ReadTreeTap(mapper), "JsonUsageTap", jsonTap);
        }
    }

    /**
     * A stream with {@code deltas} content chunks, like a real answer of that many tokens: each chunk carries a
     * different piece of text, as in a real stream (identical chunks would flatter anything that compares them).
     */
    private static byte[] longStream(byte[] fixture, int deltas) {
        String text = new String(fixture, StandardCharsets.UTF_8);
        String[] events = text.split("\n\n");
        String[] words = {" Un", " péage", " —", " «", " toll", " gate", " »", " coûte", " 2,50", " €", " 🚗", "."};
        StringBuilder stream = new StringBuilder(events[0]).append("\n\n").append(events[1]).append("\n\n");
        for (int i = 0; i < deltas; i++) {
            String word = words[i % words.length] + (i / words.length == 0 ? "" : String.valueOf(i / words.length));
            stream.append(events[2].replace("\"content\":\"Un péage 🚗\"", "\"content\":\"" + word + "\"")).append("\n\n");
        }
        for (int i = 3; i < events.length; i++) {
            stream.append(events[i]).append("\n\n");
        }
        return stream.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An embeddings answer of about {@code size} bytes: vectors first, model and usage at the end. */
    private static byte[] embeddings(int size) {
        StringBuilder body = new StringBuilder("{\"object\":\"list\",\"data\":[");
        int index = 0;
        while (body.length() < size) {
            body.append(index == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(index++)
                    .append(",\"embedding\":[");
            for (int i = 0; i < 256; i++) {
                body.append(i == 0 ? "" : ",").append(i % 2 == 0 ? "-0.0" : "0.0").append(1234567 + 7919 * i);
            }
            body.append("]}");
        }
        body.append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":").append(8 * index)
                .append(",\"total_tokens\":").append(8 * index).append("}}");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Measures the baseline and the tap in alternating rounds of a quarter second, {@code seconds} each in all, and
     * reports each one's best round: on a shared machine other work only ever adds time, so the best round is the
     * closest to the cost of the code itself, and alternating exposes both to the same conditions.
     */
    private static void compare(String body, byte[] bytes, int seconds, String baselineName,
                                Supplier<UsageTap> baseline, String tapName, Supplier<UsageTap> tap) {
        List<Buffer> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += CHUNK) {
            chunks.add(Buffer.buffer().appendBytes(bytes, from, Math.min(CHUNK, bytes.length - from)));
        }
        run(chunks, baseline, 1_000_000_000L); // warm-up
        run(chunks, tap, 1_000_000_000L);
        double baselineBest = Double.MAX_VALUE;
        double tapBest = Double.MAX_VALUE;
        for (int round = 0; round < 4 * seconds; round++) {
            baselineBest = Math.min(baselineBest, micros(run(chunks, baseline, 250_000_000L)));
            tapBest = Math.min(tapBest, micros(run(chunks, tap, 250_000_000L)));
        }
        report(baselineName + ", " + body, bytes.length, baselineBest);
        report(tapName + ", " + body, bytes.length, tapBest);
    }

    private static double micros(long[] result) {
        return result[1] / 1e3 / result[0];
    }

    private static void report(String name, int bytes, double micros) {
        LOG.infof("usage tap: %-72s %6.0f MB/s %9.2f us/answer %7.1f%% of %.0f us", name, bytes / micros, micros,
                100 * micros / GATEWAY_MICROS_PER_REQUEST, GATEWAY_MICROS_PER_REQUEST);
    }

    private static long[] run(List<Buffer> chunks, Supplier<UsageTap> taps, long nanos) {
        long start = System.nanoTime();
        long answers = 0;
        long sink = 0;
        while (System.nanoTime() - start < nanos) {
            UsageTap tap = taps.get();
            for (Buffer chunk : chunks) {
                sink += tap.onChunk(chunk).length();
            }
            tap.onEnd();
            sink += tap.usage().orElseThrow().totalTokens() + tap.model().orElseThrow().length();
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

    private static Usage usageOf(JsonNode node) {
        return new Usage(node.path("prompt_tokens").asLong(), 0, node.path("completion_tokens").asLong(), 0,
                node.path("total_tokens").asLong(), dev.tollgate.metering.UsageSource.REPORTED);
    }

    /** Baseline: the whole answer gathered, then one Jackson tree of it. */
    private static final class ReadTreeTap implements UsageTap {

        private final ObjectMapper mapper;
        private final Buffer body = Buffer.buffer();
        private JsonNode tree;

        ReadTreeTap(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        @Override
        public Buffer onChunk(Buffer chunk) {
            body.appendBuffer(chunk);
            return chunk;
        }

        @Override
        public Buffer onEnd() {
            try {
                tree = mapper.readTree(body.getBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Buffer.buffer();
        }

        @Override
        public Optional<Usage> usage() {
            return Optional.of(usageOf(tree.path("usage")));
        }

        @Override
        public Optional<String> model() {
            return Optional.of(tree.path("model").asText());
        }

        @Override
        public String outputText() {
            return "";
        }
    }

    /**
     * Baseline: what the first stream tap did, less its text keeping: the stream cut into events, each event's data
     * decoded to a string and read into a Jackson tree.
     */
    private static final class ReadTreePerEventTap implements UsageTap {

        private final ObjectMapper mapper;
        private byte[] pending = new byte[0];
        private Usage usage;
        private String model;

        ReadTreePerEventTap(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        @Override
        public Buffer onChunk(Buffer chunk) {
            byte[] data = Buffer.buffer(pending).appendBuffer(chunk).getBytes();
            int from = 0;
            for (int i = 1; i < data.length; i++) {
                if (data[i] == '\n' && data[i - 1] == '\n') {
                    read(new String(data, from, i + 1 - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            pending = java.util.Arrays.copyOfRange(data, from, data.length);
            return chunk;
        }

        private void read(String event) {
            if (!event.startsWith("data: {")) {
                return;
            }
            try {
                JsonNode json = mapper.readTree(event.substring(6).trim());
                if (json.path("usage").isObject()) {
                    usage = usageOf(json.path("usage"));
                }
                if (model == null && !json.path("model").asText("").isEmpty()) {
                    model = json.path("model").asText();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Buffer onEnd() {
            return Buffer.buffer();
        }

        @Override
        public Optional<Usage> usage() {
            return Optional.ofNullable(usage);
        }

        @Override
        public Optional<String> model() {
            return Optional.ofNullable(model);
        }

        @Override
        public String outputText() {
            return "";
        }
    }
}
