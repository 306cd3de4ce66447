package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The taps read less than they used to (a byte check before any parse, stream text kept for later, JSON read from its
 * end); whatever the stream or body and wherever the network cuts it, they must tell exactly what the taps they
 * replace told: usage, model, text kept for an estimate, and the bytes passed on.
 */
class UsageTapEquivalenceTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> STREAMS = List.of(
            text(Fixtures.load("chat-stream.sse")),
            text(Fixtures.load("responses-stream.sse")),
            text(Fixtures.load("chat-stream.sse")).replace("\n", "\r\n"),
            // spaces around the colon, an empty usage object, a completions stream (text, not delta)
            "data: {\"choices\":[{\"text\":\"Hel\",\"index\":0}],\"model\":\"gpt-35-turbo-instruct\"}\n\n"
                    + "data: {\"choices\":[{\"text\":\"lo\",\"index\":0}],\"usage\" : { \"prompt_tokens\" : 3 ,"
                    + " \"completion_tokens\": 2, \"total_tokens\": 5 }}\n\n"
                    + "data: {\"choices\":[],\"usage\":{}}\n\ndata: [DONE]\n\n",
            // usage whose object starts on the next data line
            "data: {\"choices\":[],\"model\":\"m1\",\"usage\":\ndata: {\"prompt_tokens\":4,\"total_tokens\":4}}\n\n",
            "data: {\"choices\":[],\"model\":\"m1\",\"usage\":\r\ndata: {\"prompt_tokens\":4,\"total_tokens\":4}}\r\n\r\n",
            // field names spelled with escapes
            "data: {\"m\\u006fdel\":\"escaped-model\",\"choices\":[{\"delta\":{\"content\":\"\\u0075\"}}]}\n\n"
                    + "data: {\"choices\":[],\"us\\u0061ge\":{\"prompt_tokens\":5,\"total_tokens\":5}}\n\n",
            // comments, event names, ids, stray blank lines, data without a space, unreadable JSON with usage in it
            ": keep-alive\n\nevent: ping\nid: 7\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"model\":\"\"}\n\n\n"
                    + "data:{\"choices\":[{\"delta\":{\"content\":\"b \\\"usage\\\":{ c\"}}],\"model\":\"m2\"}\n\n"
                    + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,,}}\n\n\r\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\"é🚗\"}}],\"usage\":null}\n\n",
            // a model that is not a string, usage inside "response" and beside it, a last event never terminated
            "data: {\"model\":7,\"choices\":[]}\n\n"
                    + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"x\"}\n\n"
                    + "data: {\"type\":\"response.completed\",\"usage\":{\"input_tokens\":1},\"response\":{\"model\":\"r\","
                    + "\"usage\":{\"input_tokens\":2,\"output_tokens\":3}}}",
            // a stream cut before any usage, text in a chunk that also carries usage
            "data: {\"choices\":[{\"delta\":{\"content\":\"only\"}}],\"model\":\"m3\",\"usage\":null}\n\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\" text\"}}],\"usage\":{\"prompt_tokens\":1,"
                    + "\"completion_tokens\":2,\"total_tokens\":3}}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"cut\"}}],\"model\":\"m4\",\"usage\":null}\n\ndata: {\"choi");

    private static final List<String> BODIES = List.of(
            text(Fixtures.load("chat-completion.json")),
            "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,-0.2]}],"
                    + "\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}",
            // the Responses API: model first, members after usage, one of them naming a "model" of its own
            "{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\",\"output\":[{\"type\":\"message\","
                    + "\"content\":[{\"type\":\"output_text\",\"text\":\"\\\"usage\\\": {\"}]}],\"usage\":{\"input_tokens\":36,"
                    + "\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":87,\"output_tokens_details\":"
                    + "{\"reasoning_tokens\":2},\"total_tokens\":123},\"user\":null,\"metadata\":{\"model\":\"not-this\"}}",
            // pretty-printed
            "{\n  \"model\" : \"gpt-4o\",\n  \"usage\" : {\n    \"prompt_tokens\" : 1,\n    \"completion_tokens\" : 2,\n"
                    + "    \"total_tokens\" : 3\n  }\n}\n",
            // nested look-alikes before and after, model after usage, a later model that is null
            "{\"model\":\"m\",\"choices\":[{\"usage\":{\"prompt_tokens\":999}}],\"metadata\":{\"model\":\"not-this\"}}",
            "{\"choices\":[{\"model\":\"inner\"}],\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1},\"model\":\"outer\"}",
            "{\"model\":\"first\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1},\"model\":null}",
            "{\"a\":{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}}",
            "[{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}]",
            // escaped field names, an escaped quote before a look-alike, a usage that is no object
            "{\"m\\u006fdel\":\"e\",\"us\\u0061ge\":{\"prompt_tokens\":2,\"total_tokens\":2}}",
            "{\"k\":\"a\\\\\",\"model\":\"b\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}",
            "{\"model\":\"m\",\"usage\":[1,2]}",
            "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"deep\":{\"er\":{\"est\":2}},\"prompt_tokens_details\":"
                    + "{\"cached_tokens\":[1],\"audio_tokens\":3}}}",
            "{\"error\":{\"code\":\"429\",\"message\":\"slow down\"}}",
            "{\"usage\":{\"prompt_tokens\":1}} trailing");

    @Test
    void streamsAgreeWhereverTheNetworkCutsThem() {
        for (String stream : STREAMS) {
            byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
            for (boolean withhold : new boolean[] {false, true}) {
                for (int at = 0; at <= bytes.length; at++) {
                    assertSameStream(stream + " cut at " + at, Fixtures.cutAt(bytes, at), withhold);
                }
                assertSameStream(stream + " byte by byte", Fixtures.bytewise(bytes), withhold);
            }
        }
    }

    @Test
    void longStreamsAgreeInRandomChunks() {
        Random random = new Random(42);
        String[] events = text(Fixtures.load("chat-stream.sse")).split("\n\n");
        for (int round = 0; round < 50; round++) {
            StringBuilder stream = new StringBuilder(events[0]).append("\n\n").append(events[1]).append("\n\n");
            int deltas = random.nextInt(300);
            for (int i = 0; i < deltas; i++) {
                String piece = random.nextInt(10) == 0 ? "\\u00e9\\n" : random.nextInt(5) == 0 ? " 🚗" : " w" + i;
                stream.append(events[2].replace("Un péage 🚗", piece)).append("\n\n");
            }
            if (random.nextBoolean()) {
                stream.append(events[3]).append("\n\n").append(events[4]).append("\n\n").append(events[5]).append("\n\n");
            }
            byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
            assertSameStream("round " + round, randomChunks(bytes, random), random.nextBoolean());
        }
    }

    @Test
    void bodiesAgreeWhereverTheNetworkCutsThemAndWhereverTheyEnd() {
        for (String body : BODIES) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            for (int at = 0; at <= bytes.length; at++) {
                assertSameBody(body + " cut at " + at, Fixtures.cutAt(bytes, at), true);
                // a body broken off there: asked for its usage without its end
                assertSameBody(body + " ending at " + at, Fixtures.cutAt(bytes, at).subList(0, 1), false);
            }
            assertSameBody(body + " byte by byte", Fixtures.bytewise(bytes), true);
        }
    }

    @Test
    void bodiesTooLargeToHoldAgreeToo() {
        StringBuilder body = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (int i = 0; body.length() < 3 * JsonUsageTap.HOLD_LIMIT; i++) {
            body.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"index\":").append(i)
                    .append(",\"embedding\":[0.0123,-0.0456,0.0789,\"usage\",{\"model\":\"no\"}]}");
        }
        body.append("],\"model\":\"text-embedding-3-large\",\"usage\":{\"prompt_tokens\":77,\"total_tokens\":77}}");
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        Random random = new Random(7);
        for (int round = 0; round < 10; round++) {
            assertSameBody("round " + round, randomChunks(bytes, random), true);
        }
        for (int at : new int[] {JsonUsageTap.HOLD_LIMIT - 1, JsonUsageTap.HOLD_LIMIT, JsonUsageTap.HOLD_LIMIT + 1,
                bytes.length - 40}) {
            assertSameBody("cut at " + at, Fixtures.cutAt(bytes, at), true);
        }
        JsonUsageTap tap = new JsonUsageTap();
        randomChunks(bytes, random).forEach(tap::onChunk);
        tap.onEnd();
        assertThat(tap.usage()).contains(new Usage(77, 0, 0, 0, 77, UsageSource.REPORTED));
        assertThat(tap.model()).contains("text-embedding-3-large");
    }

    private static void assertSameStream(String what, List<Buffer> chunks, boolean withhold) {
        ReferenceSseUsageTap reference = new ReferenceSseUsageTap(MAPPER, withhold);
        SseUsageTap tap = new SseUsageTap(MAPPER, withhold);
        Buffer referencePassed = Buffer.buffer();
        Buffer passed = Buffer.buffer();
        for (Buffer chunk : chunks) {
            referencePassed.appendBuffer(reference.onChunk(chunk.copy()));
            passed.appendBuffer(tap.onChunk(chunk.copy()));
            assertThat(passed.getBytes()).as("%s: passed on so far", what).isEqualTo(referencePassed.getBytes());
        }
        referencePassed.appendBuffer(reference.onEnd());
        passed.appendBuffer(tap.onEnd());
        assertThat(passed.getBytes()).as("%s: passed on", what).isEqualTo(referencePassed.getBytes());
        assertThat(tap.usage()).as("%s: usage", what).isEqualTo(reference.usage());
        assertThat(tap.model()).as("%s: model", what).isEqualTo(reference.model());
        assertThat(tap.outputText()).as("%s: text", what).isEqualTo(reference.outputText());
    }

    private static void assertSameBody(String what, List<Buffer> chunks, boolean ended) {
        ReferenceJsonUsageTap reference = new ReferenceJsonUsageTap();
        JsonUsageTap tap = new JsonUsageTap();
        for (Buffer chunk : chunks) {
            assertThat(tap.onChunk(chunk).getBytes()).isEqualTo(reference.onChunk(chunk).getBytes());
        }
        if (ended) {
            reference.onEnd();
            tap.onEnd();
        }
        assertThat(tap.usage()).as("%s: usage", what).isEqualTo(reference.usage());
        assertThat(tap.model()).as("%s: model", what).isEqualTo(reference.model());
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
