package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The taps read less than a plain parse would (a byte check before any parse, stream text kept for later, JSON read
 * from its end); whatever the stream or body and wherever the network cuts it, every way of feeding it must tell the
 * same, stated here: usage, model, text kept for an estimate, and the bytes passed on, chunk after chunk.
 *
 * <p>Each stream is written as the events the tap must see in it, so what is passed on once some bytes have arrived
 * follows from the input: the events complete within them, less the usage-only chunk when it is withheld. A body is
 * always passed on as it came; its model and usage are known once the bytes that complete them have arrived.
 */
class UsageTapEquivalenceTest {

    private static final UsageTaps TAPS = new UsageTaps(new ObjectMapper());
    private static final String CHAT = "chat/completions";
    private static final String COMPLETIONS = "completions";
    private static final String RESPONSES = "responses";

    private static final String CHAT_STREAM = text(Fixtures.load("chat-stream.sse"));
    private static final Usage CHAT_STREAM_USAGE = reported(1290, 1152, 5, 0, 1295);
    private static final String CHAT_STREAM_MODEL = "gpt-4o-2024-08-06";

    private static final List<StreamCase> STREAMS = List.of(
            new StreamCase(CHAT, recorded(CHAT_STREAM, "\n\n", 4),
                    CHAT_STREAM_USAGE, CHAT_STREAM_MODEL, "Un péage 🚗"),
            new StreamCase(RESPONSES, recorded(text(Fixtures.load("responses-stream.sse")), "\n\n", -1),
                    reported(328, 0, 552, 512, 880), "o4-mini-2025-04-16", "Bonjour — "),
            new StreamCase(CHAT, recorded(CHAT_STREAM.replace("\n", "\r\n"), "\r\n\r\n", 4),
                    CHAT_STREAM_USAGE, CHAT_STREAM_MODEL, "Un péage 🚗"),
            // spaces around the colon, a completions stream (text, not delta), an empty usage object last: it counts
            new StreamCase(COMPLETIONS, List.of(
                    event("data: {\"choices\":[{\"text\":\"Hel\",\"index\":0}],\"model\":\"gpt-35-turbo-instruct\"}\n\n"),
                    event("data: {\"choices\":[{\"text\":\"lo\",\"index\":0}],\"usage\" : { \"prompt_tokens\" : 3 ,"
                            + " \"completion_tokens\": 2, \"total_tokens\": 5 }}\n\n"),
                    usageOnly("data: {\"choices\":[],\"usage\":{}}\n\n"),
                    event("data: [DONE]\n\n")),
                    reported(0, 0, 0, 0, 0), "gpt-35-turbo-instruct", "Hello"),
            // usage whose object starts on the next data line
            new StreamCase(CHAT, List.of(
                    usageOnly("data: {\"choices\":[],\"model\":\"m1\",\"usage\":\ndata: {\"prompt_tokens\":4,\"total_tokens\":4}}\n\n")),
                    reported(4, 0, 0, 0, 4), "m1", ""),
            new StreamCase(CHAT, List.of(
                    usageOnly("data: {\"choices\":[],\"model\":\"m1\",\"usage\":\r\ndata: {\"prompt_tokens\":4,\"total_tokens\":4}}\r\n\r\n")),
                    reported(4, 0, 0, 0, 4), "m1", ""),
            // field names spelled with escapes
            new StreamCase(CHAT, List.of(
                    event("data: {\"m\\u006fdel\":\"escaped-model\",\"choices\":[{\"delta\":{\"content\":\"\\u0075\"}}]}\n\n"),
                    usageOnly("data: {\"choices\":[],\"us\\u0061ge\":{\"prompt_tokens\":5,\"total_tokens\":5}}\n\n")),
                    reported(5, 0, 0, 0, 5), "escaped-model", "u"),
            // comments, event names, ids, stray blank lines (passed on), data without a space, "usage" inside text, unreadable JSON with usage in it, a null usage: no usage at all; the first
            // model is empty, so the second one counts
            new StreamCase(CHAT, List.of(
                    event(": keep-alive\n\n"),
                    event("event: ping\nid: 7\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"model\":\"\"}\n\n"),
                    strayBlankLine("\n"),
                    event("data:{\"choices\":[{\"delta\":{\"content\":\"b \\\"usage\\\":{ c\"}}],\"model\":\"m2\"}\n\n"),
                    event("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,,}}\n\n"),
                    strayBlankLine("\r\n"),
                    event("data: {\"choices\":[{\"delta\":{\"content\":\"é🚗\"}}],\"usage\":null}\n\n")),
                    null, "m2", "ab \"usage\":{ cé🚗"),
            // a model that is not a string (its text counts), usage inside "response" rather than beside it, a last
            // event never terminated: passed on at the end, read all the same
            new StreamCase(RESPONSES, List.of(
                    event("data: {\"model\":7,\"choices\":[]}\n\n"),
                    event("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"x\"}\n\n"),
                    unterminated("data: {\"type\":\"response.completed\",\"usage\":{\"input_tokens\":1},\"response\":"
                            + "{\"model\":\"r\",\"usage\":{\"input_tokens\":2,\"output_tokens\":3}}}")),
                    reported(2, 0, 3, 0, 5), "7", "x"),
            // text in a chunk that also carries usage: not usage-only, never withheld
            new StreamCase(CHAT, List.of(
                    event("data: {\"choices\":[{\"delta\":{\"content\":\"only\"}}],\"model\":\"m3\",\"usage\":null}\n\n"),
                    event("data: {\"choices\":[{\"delta\":{\"content\":\" text\"}}],\"usage\":{\"prompt_tokens\":1,"
                            + "\"completion_tokens\":2,\"total_tokens\":3}}\n\n")),
                    reported(1, 0, 2, 0, 3), "m3", "only text"),
            // a stream cut before any usage
            new StreamCase(CHAT, List.of(
                    event("data: {\"choices\":[{\"delta\":{\"content\":\"cut\"}}],\"model\":\"m4\",\"usage\":null}\n\n"),
                    unterminated("data: {\"choi")),
                    null, "m4", "cut"));

    private static final List<BodyCase> BODIES = List.of(
            body(text(Fixtures.load("chat-completion.json")))
                    .model("gpt-4o-2024-08-06", "\"model\":\"gpt-4o-2024-08-06\"")
                    .usage(reported(2066, 1920, 1203, 1024, 3269), "\"total_tokens\":3269}"),
            body("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]}],"
                    + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}")
                    .model("text-embedding-3-small", "\"model\":\"text-embedding-3-small\"")
                    .usage(reported(9, 0, 0, 0, 9), "\"total_tokens\":9}"),
            // the Responses API: model first, members after usage, one of them naming a "model" of its own
            body("{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\",\"output\":[{\"type\":\"message\","
                    + "\"content\":[{\"type\":\"output_text\",\"text\":\"\\\"usage\\\": {\"}]}],\"usage\":{\"input_tokens\":36,"
                    + "\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":87,\"output_tokens_details\":"
                    + "{\"reasoning_tokens\":2},\"total_tokens\":123},\"user\":null,\"metadata\":{\"model\":\"not-this\"}}")
                    .model("gpt-4.1-2025-04-14", "\"model\":\"gpt-4.1-2025-04-14\"")
                    .usage(reported(36, 4, 87, 2, 123), "\"total_tokens\":123}"),
            // pretty-printed
            body("{\n  \"model\" : \"gpt-4o\",\n  \"usage\" : {\n    \"prompt_tokens\" : 1,\n    \"completion_tokens\" : 2,\n"
                    + "    \"total_tokens\" : 3\n  }\n}\n")
                    .model("gpt-4o", "\"model\" : \"gpt-4o\"")
                    .usage(reported(1, 0, 2, 0, 3), "\"total_tokens\" : 3\n  }"),
            // nested look-alikes before and after, model after usage, a later model that is null
            body("{\"model\":\"m\",\"choices\":[{\"usage\":{\"prompt_tokens\":999}}],\"metadata\":{\"model\":\"not-this\"}}")
                    .model("m", "\"model\":\"m\""),
            body("{\"choices\":[{\"model\":\"inner\"}],\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1},\"model\":\"outer\"}")
                    .model("outer", "\"model\":\"outer\"")
                    .usage(reported(1, 0, 0, 0, 1), "\"total_tokens\":1}"),
            body("{\"model\":\"first\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1},\"model\":null}")
                    .model("first", "\"model\":\"first\"")
                    .usage(reported(1, 0, 0, 0, 1), "\"total_tokens\":1}"),
            body("{\"a\":{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}}"),
            body("[{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}]"),
            // escaped field names, an escaped quote before a look-alike, a usage that is no object
            body("{\"m\\u006fdel\":\"e\",\"us\\u0061ge\":{\"prompt_tokens\":2,\"total_tokens\":2}}")
                    .model("e", "\"m\\u006fdel\":\"e\"")
                    .usage(reported(2, 0, 0, 0, 2), "\"total_tokens\":2}"),
            body("{\"k\":\"a\\\\\",\"model\":\"b\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}")
                    .model("b", "\"model\":\"b\"")
                    .usage(reported(3, 0, 0, 0, 3), "\"total_tokens\":3}"),
            body("{\"model\":\"m\",\"usage\":[1,2]}")
                    .model("m", "\"model\":\"m\""),
            // numbers nested deeper than Usage reads, a cached_tokens that is no number: only prompt_tokens counts
            body("{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"deep\":{\"er\":{\"est\":2}},\"prompt_tokens_details\":"
                    + "{\"cached_tokens\":[1],\"audio_tokens\":3}}}")
                    .model("m", "\"model\":\"m\"")
                    .usage(reported(1, 0, 0, 0, 1), "\"audio_tokens\":3}}"),
            body("{\"error\":{\"code\":\"429\",\"message\":\"slow down\"}}"),
            // what comes after the top-level object is unreadable, and too late to undo its usage
            body("{\"usage\":{\"prompt_tokens\":1}} trailing")
                    .usage(reported(1, 0, 0, 0, 1), "\"prompt_tokens\":1}"));

    @Test
    void streamsTellTheSameWhereverTheNetworkCutsThem() {
        for (StreamCase stream : STREAMS) {
            byte[] bytes = stream.bytes();
            for (boolean withhold : new boolean[] {false, true}) {
                String what = text(bytes) + (withhold ? " (usage-only chunk withheld)" : "");
                for (int at = 0; at <= bytes.length; at++) {
                    assertStream(what + " cut at " + at, stream, Fixtures.cutAt(bytes, at), withhold);
                }
                assertStream(what + " byte by byte", stream, Fixtures.bytewise(bytes), withhold);
            }
        }
    }

    @Test
    void longStreamsTellTheSameInRandomChunks() {
        Random random = new Random(42);
        String[] events = CHAT_STREAM.split("\n\n");
        for (int round = 0; round < 50; round++) {
            List<Event> stream = new ArrayList<>(List.of(event(events[0] + "\n\n"), event(events[1] + "\n\n")));
            StringBuilder text = new StringBuilder();
            int deltas = random.nextInt(300);
            for (int i = 0; i < deltas; i++) {
                String piece;
                String decoded;
                if (random.nextInt(10) == 0) {
                    piece = "\\u00e9\\n";
                    decoded = "é\n";
                } else if (random.nextInt(5) == 0) {
                    piece = decoded = " 🚗";
                } else {
                    piece = decoded = " w" + i;
                }
                stream.add(event(events[2].replace("Un péage 🚗", piece) + "\n\n"));
                text.append(decoded);
            }
            boolean ends = random.nextBoolean();
            if (ends) {
                stream.add(event(events[3] + "\n\n"));
                stream.add(usageOnly(events[4] + "\n\n"));
                stream.add(event(events[5] + "\n\n"));
            }
            StreamCase expected = new StreamCase(CHAT, stream, ends ? CHAT_STREAM_USAGE : null, CHAT_STREAM_MODEL,
                    text.toString());
            assertStream("round " + round, expected, randomChunks(expected.bytes(), random), random.nextBoolean());
        }
    }

    @Test
    void bodiesTellTheSameWhereverTheNetworkCutsThemAndWhereverTheyEnd() {
        for (BodyCase body : BODIES) {
            byte[] bytes = body.json.getBytes(StandardCharsets.UTF_8);
            for (int at = 0; at <= bytes.length; at++) {
                assertBody(body.json + " cut at " + at, Fixtures.cutAt(bytes, at), true, body.usage, body.model);
                // a body broken off there: asked for its usage without its end
                assertBody(body.json + " ending at " + at, Fixtures.cutAt(bytes, at).subList(0, 1), false,
                        at >= body.usageKnownAt ? body.usage : Optional.empty(),
                        at >= body.modelKnownAt ? body.model : Optional.empty());
            }
            assertBody(body.json + " byte by byte", Fixtures.bytewise(bytes), true, body.usage, body.model);
        }
    }

    @Test
    void bodiesTooLargeToHoldTellTheSameToo() {
        StringBuilder body = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; body.length() < 3 * JsonUsageTap.HOLD_LIMIT; i++) {
            body.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":[0.0123,-0.0456,0.0789,\"usage\",{\"model\":\"no\"}]}");
        }
        body.append("],\"model\":\"text-embedding-3-large\",\"usage\":{\"prompt_tokens\":77,\"total_tokens\":77}}");
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Optional<Usage> usage = Optional.of(reported(77, 0, 0, 0, 77));
        Optional<String> model = Optional.of("text-embedding-3-large");
        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            assertBody("round " + round, randomChunks(bytes, random), true, usage, model);
        }
        for (int at : new int[] {JsonUsageTap.HOLD_LIMIT - 1, JsonUsageTap.HOLD_LIMIT, JsonUsageTap.HOLD_LIMIT + 1,
                bytes.length - 40}) {
            assertBody("cut at " + at, Fixtures.cutAt(bytes, at), true, usage, model);
        }
    }

    private static void assertStream(String what, StreamCase expected, List<Buffer> chunks, boolean withhold) {
        int[] chunkEnds = new int[chunks.size()];
        for (int i = 0, end = 0; i < chunks.size(); i++) {
            end += chunks.get(i).length();
            chunkEnds[i] = end;
        }
        List<Event> events = expected.eventsAsCut(chunkEnds);
        UsageTap tap = TAPS.forAnswer(expected.operation, "text/event-stream", withhold);
        Buffer passed = Buffer.buffer();
        for (int i = 0; i < chunks.size(); i++) {
            passed.appendBuffer(tap.onChunk(chunks.get(i).copy()));
            assertThat(passed.getBytes()).as("%s: passed on so far", what)
                    .isEqualTo(passed(events, chunkEnds[i], withhold, false));
        }
        passed.appendBuffer(tap.onEnd());
        assertThat(passed.getBytes()).as("%s: passed on", what)
                .isEqualTo(passed(events, Integer.MAX_VALUE, withhold, true));
        assertThat(tap.usage()).as("%s: usage", what).isEqualTo(expected.usage);
        assertThat(tap.model()).as("%s: model", what).isEqualTo(expected.model);
        assertThat(tap.outputText()).as("%s: text", what).isEqualTo(expected.text);
    }

    private static void assertBody(String what, List<Buffer> chunks, boolean ended, Optional<Usage> usage,
                                   Optional<String> model) {
        JsonUsageTap tap = new JsonUsageTap();
        for (Buffer chunk : chunks) {
            byte[] sent = chunk.getBytes();
            assertThat(tap.onChunk(chunk).getBytes()).as("%s: passed on as it came", what).isEqualTo(sent);
        }
        if (ended) {
            assertThat(tap.onEnd().length()).as("%s: nothing held back", what).isZero();
        }
        assertThat(tap.usage()).as("%s: usage", what).isEqualTo(usage);
        assertThat(tap.model()).as("%s: model", what).isEqualTo(model);
    }

    /** One event of a stream, terminator included, as the tap must cut it out. */
    private record Event(String raw, boolean usageOnly, boolean terminated, boolean stray) {
    }

    private static Event event(String raw) {
        return new Event(raw, false, true, false);
    }

    /** A usage-only chunk ({@code "choices": []}), withheld from the caller when the gateway asked for usage itself. */
    private static Event usageOnly(String raw) {
        return new Event(raw, true, true, false);
    }

    /** A last event the stream never terminated: held until the stream ends. */
    private static Event unterminated(String raw) {
        return new Event(raw, false, false, false);
    }

    /**
     * A blank line after a complete event. The splitter sees it as an empty line, an event of its own, only when it
     * comes in one chunk with the end of the event before it; otherwise it is held as the start of the next event,
     * and passed on (or withheld) with it.
     */
    private static Event strayBlankLine(String raw) {
        return new Event(raw, false, true, true);
    }

    /**
     * What is passed on once the first {@code arrived} bytes of the stream have: the events complete within them
     * (by its end, the unterminated one too), less the usage-only ones if withheld.
     */
    private static byte[] passed(List<Event> events, int arrived, boolean withhold, boolean ended) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int end = 0;
        for (Event event : events) {
            byte[] raw = event.raw.getBytes(StandardCharsets.UTF_8);
            end += raw.length;
            boolean complete = end <= arrived && (event.terminated || ended);
            if (complete && !(withhold && event.usageOnly)) {
                out.writeBytes(raw);
            }
        }
        return out.toByteArray();
    }

    /** A recorded stream, cut into its events at each {@code separator}; {@code usageOnly}: that event's index, or -1. */
    private static List<Event> recorded(String stream, String separator, int usageOnly) {
        List<Event> events = new ArrayList<>();
        for (int from = 0; from < stream.length(); ) {
            int to = stream.indexOf(separator, from) + separator.length();
            assertThat(to).as("a recorded stream ends with a terminated event").isGreaterThan(from);
            String raw = stream.substring(from, to);
            events.add(events.size() == usageOnly ? usageOnly(raw) : event(raw));
            from = to;
        }
        return events;
    }

    /**
     * A stream, the operation whose answer it is (which picks the tap), and what the tap must tell of it: its usage
     * (null: none), model and text.
     */
    private record StreamCase(String operation, List<Event> events, Optional<Usage> usage, Optional<String> model,
                              String text) {

        StreamCase(String operation, List<Event> events, Usage usage, String model, String text) {
            this(operation, events, Optional.ofNullable(usage), Optional.ofNullable(model), text);
        }

        byte[] bytes() {
            return passed(events, Integer.MAX_VALUE, false, true);
        }

        /**
         * The events a tap fed chunks ending at {@code chunkEnds} cuts out of the stream: a stray blank line cut off
         * from the byte before it ({@link #strayBlankLine}) goes with the event after it.
         */
        List<Event> eventsAsCut(int[] chunkEnds) {
            List<Event> cut = new ArrayList<>();
            String held = "";
            int start = 0;
            for (Event event : events) {
                int end = start + event.raw.getBytes(StandardCharsets.UTF_8).length;
                if (event.stray && cutWithin(chunkEnds, start, end)) {
                    held += event.raw;
                } else {
                    cut.add(new Event(held + event.raw, event.usageOnly, event.terminated, false));
                    held = "";
                }
                start = end;
            }
            if (!held.isEmpty()) {
                cut.add(unterminated(held));
            }
            return cut;
        }

        /** Whether a chunk ends between the byte before {@code from} and the last byte before {@code to}. */
        private static boolean cutWithin(int[] chunkEnds, int from, int to) {
            for (int end : chunkEnds) {
                if (end >= from && end < to) {
                    return true;
                }
            }
            return false;
        }
    }

    private static BodyCase body(String json) {
        return new BodyCase(json, Optional.empty(), Integer.MAX_VALUE, Optional.empty(), Integer.MAX_VALUE);
    }

    /**
     * A JSON body and its top-level usage and model, each with how many bytes of the body must have arrived for it
     * to be known: the end of a piece of the body, found in it once only, that completes it.
     */
    private record BodyCase(String json, Optional<Usage> usage, int usageKnownAt, Optional<String> model,
                            int modelKnownAt) {

        BodyCase usage(Usage usage, String completedBy) {
            return new BodyCase(json, Optional.of(usage), through(completedBy), model, modelKnownAt);
        }

        BodyCase model(String model, String completedBy) {
            return new BodyCase(json, usage, usageKnownAt, Optional.of(model), through(completedBy));
        }

        /** The bytes of the body up to the end of {@code piece}, which it must hold exactly once. */
        private int through(String piece) {
            int at = json.indexOf(piece);
            assertThat(at).as("%s in %s", piece, json).isNotNegative();
            assertThat(json.indexOf(piece, at + 1)).as("%s once only in %s", piece, json).isNegative();
            return json.substring(0, at + piece.length()).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private static Usage reported(long input, long cachedInput, long output, long reasoning, long total) {
        return new Usage(input, cachedInput, output, reasoning, total, UsageSource.REPORTED);
    }

    private static List<Buffer> randomChunks(byte[] bytes, Random random) {
        List<Buffer> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; ) {
            int length = Math.min(bytes.length - from, 1 + random.nextInt(3000));
            chunks.add(Buffer.buffer().appendBytes(bytes, from, length));
            from += length;
        }
        return chunks;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
