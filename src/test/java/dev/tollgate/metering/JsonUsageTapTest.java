package dev.tollgate.metering;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonUsageTapTest {

    private static final byte[] CHAT = Fixtures.load("chat-completion.json");
    private static final Usage CHAT_USAGE = new Usage(2066, 1920, 1203, 1024, 3269, UsageSource.REPORTED);

    @Test
    void readsUsageAndModelWhereverTheNetworkCutsTheBody() {
        for (int at = 0; at <= CHAT.length; at++) {
            JsonUsageTap tap = new JsonUsageTap();
            Buffer passed = Buffer.buffer();
            for (Buffer chunk : Fixtures.cutAt(CHAT, at)) {
                passed.appendBuffer(tap.onChunk(chunk));
            }
            passed.appendBuffer(tap.onEnd());
            assertThat(tap.usage()).as("cut at %d", at).contains(CHAT_USAGE);
            assertThat(tap.model()).contains("gpt-4o-2024-08-06");
            assertThat(passed.getBytes()).as("bytes passed on untouched").isEqualTo(CHAT);
        }
    }

    /** A single chunk is read where it lies: also when it is a slice of a larger array, or leaves room after it. */
    @Test
    void readsASingleChunkInPlaceWhereverItLies() {
        byte[] around = new byte[CHAT.length + 20];
        System.arraycopy(CHAT, 0, around, 7, CHAT.length);
        Buffer roomy = Buffer.buffer(CHAT.length * 2).appendBytes(CHAT);
        for (Buffer chunk : List.of(Buffer.buffer(Unpooled.wrappedBuffer(around, 7, CHAT.length)), roomy)) {
            JsonUsageTap tap = new JsonUsageTap();
            assertThat(tap.onChunk(chunk).getBytes()).isEqualTo(CHAT);
            assertThat(tap.usage()).as("before the end").contains(CHAT_USAGE);
            tap.onEnd();
            assertThat(tap.usage()).contains(CHAT_USAGE);
            assertThat(tap.model()).contains("gpt-4o-2024-08-06");
        }
    }

    @Test
    void readsUsageFedOneByteAtATime() {
        JsonUsageTap tap = feed(Fixtures.bytewise(CHAT));
        assertThat(tap.usage()).contains(CHAT_USAGE);
    }

    @Test
    void readsEmbeddingsUsage() {
        JsonUsageTap tap = feed(List.of(utf8("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.1,-0.2]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}")));
        assertThat(tap.usage()).contains(new Usage(9, 0, 0, 0, 9, UsageSource.REPORTED));
        assertThat(tap.model()).contains("text-embedding-3-small");
    }

    @Test
    void readsResponsesApiUsage() {
        JsonUsageTap tap = feed(List.of(utf8("{\"id\":\"resp_1\",\"object\":\"response\",\"model\":\"gpt-4.1-2025-04-14\","
                + "\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"hi\"}]}],"
                + "\"usage\":{\"input_tokens\":36,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":87,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":123}}")));
        assertThat(tap.usage()).contains(new Usage(36, 0, 87, 0, 123, UsageSource.REPORTED));
    }

    @Test
    void ignoresUsageLikeFieldsNestedElsewhere() {
        JsonUsageTap tap = feed(List.of(utf8("{\"model\":\"m\",\"choices\":[{\"usage\":{\"prompt_tokens\":999}}],"
                + "\"metadata\":{\"model\":\"not-this\"}}")));
        assertThat(tap.usage()).isEmpty();
        assertThat(tap.model()).contains("m");
    }

    @Test
    void aBodyWithoutUsageYieldsNone() {
        assertThat(feed(List.of(utf8("{\"error\":{\"code\":\"429\",\"message\":\"slow down\"}}"))).usage()).isEmpty();
    }

    @Test
    void malformedJsonYieldsNoUsageAndIsStillPassedOn() {
        JsonUsageTap tap = new JsonUsageTap();
        Buffer garbage = utf8("{\"usage\":{\"prompt_tokens\": 12,, }");
        assertThat(tap.onChunk(garbage)).isEqualTo(garbage);
        assertThat(tap.usage()).isEmpty();
    }

    @Test
    void aBodyReadFromItsEndIgnoresAGarbledFront() {
        // The front is not parsed when the end proves well-formed: the one place where this tap tells more than
        // one reading every token would (which stops at the fault), for bodies no upstream sends.
        JsonUsageTap tap = feed(List.of(utf8("{\"choices\":[}}garbage,\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,"
                + "\"total_tokens\":1}}")));
        assertThat(tap.usage()).contains(new Usage(1, 0, 0, 0, 1, UsageSource.REPORTED));
        assertThat(tap.model()).contains("m");
    }

    @Test
    void aBodyBrokenOffIsReadFromItsStart() {
        // Cut where a nested object closes, the rest of it would look like a whole top-level object from its end.
        JsonUsageTap tap = new JsonUsageTap();
        tap.onChunk(utf8("{\"a\":{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}"));
        assertThat(tap.usage()).isEmpty();
        assertThat(tap.model()).isEmpty();
    }

    @Test
    void readingAtTheTopLevelKeysTellsWhatReadingFromTheStartTells() {
        // valid bodies, each read from its end: only the usage object and the model are read as JSON there
        List<String> bodies = List.of(
                text(CHAT),
                // nested look-alikes after the top-level keys, strings with brackets, quotes and backslashes between
                "{\"model\":\"m\",\"x\":\"}]\\\"{[\\\\\",\"y\":[\"}\",{\"z\":\"\\\"\"}],\"usage\":{\"prompt_tokens\":2,"
                        + "\"total_tokens\":2},\"metadata\":{\"usage\":{\"prompt_tokens\":9},\"model\":\"n\"},\"k\":\"\\\\\"}",
                "{\"usage\" :\n {\"input_tokens\":3,\"output_tokens\":-4},\"s\":\"\\\"model\\\":{\",\"model\" : \"r\" }\r\n",
                // another top-level usage or model, or a field name spelled with escapes, between the keys
                "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1},\"usage\":{\"total_tokens\":5}}",
                "{\"usage\":{\"prompt_tokens\":1},\"model\":\"a\",\"model\":\"b\"}",
                "{\"model\":\"a\",\"usage\":{\"prompt_tokens\":1},\"m\\u006fdel\":\"b\"}",
                "{\"model\":\"a\",\"usage\":{\"prompt_tokens\":1},\"us\\u0061ge\":{\"total_tokens\":7}}",
                // a model that is not plain ASCII, usage objects of less plain shapes
                "{\"model\":\"m\\u00e9\\\"\",\"usage\":{\"prompt_tokens\":1.0e0,\"total_tokens\":2,\"pr\\u006fmpt_tokens\":3}}",
                "{\"model\":\"é\",\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":4,\"x\":{\"y\":1}},\"prompt_tokens\":5}}",
                "{\"model\":\"m\",\"usage\":{\"prompt_tokens_details.cached_tokens\":4,\"input_tokens_details\":{\"cached_tokens\":6,"
                        + "\"reasoning_tokens\":8},\"output_tokens_details\":{},\"output_tokens\":0,\"total_tokens\":1234567890123456789}}",
                "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":[1],\"completion_tokens\":null,\"total_tokens\":-0}}",
                "{\"model\":\"m\",\"usage\":{}}",
                "{\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"prompt_tokens\":2,\"completion_tokens_details\":"
                        + "{\"reasoning_tokens\":3,\"reasoning_tokens\":4}}}");
        for (String body : bodies) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            JsonUsageTap tap = feed(List.of(Buffer.buffer(bytes)));
            BodyReading fromStart = WholeBodyReader.read(bytes, bytes.length);
            assertThat(tap.usage()).as(body).isEqualTo(fromStart.usage());
            assertThat(tap.model().orElse(null)).as(body).isEqualTo(fromStart.model());
        }
        assertThat(TopLevelKeysReader.read(CHAT, CHAT.length)).as("the fixture read at its keys").isNotNull();
        byte[] lookAlikes = bodies.get(1).getBytes(StandardCharsets.UTF_8);
        assertThat(TopLevelKeysReader.read(lookAlikes, lookAlikes.length).usage())
                .contains(new Usage(2, 0, 0, 0, 2, UsageSource.REPORTED));
    }

    @Test
    void whereTheWalkBackCannotTellTheReadingFromTheLastKeysIsKeptOnlyIfItClosesWhereTheBodyEnds() {
        // an escaped top-level "model" after the keys: the walk back gives up; Jackson, from the keys on, decodes it
        byte[] escaped = "{\"model\":\"a\",\"usage\":{\"prompt_tokens\":1},\"m\\u006fdel\":\"b\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(TopLevelKeysReader.read(escaped, escaped.length)).isNull();
        BodyReading fromKeys = LastKeysReader.read(escaped, escaped.length);
        assertThat(fromKeys).isNotNull();
        assertThat(fromKeys.model()).isEqualTo("b").isEqualTo(WholeBodyReader.read(escaped, escaped.length).model());
        assertThat(fromKeys.usage()).contains(new Usage(1, 0, 0, 0, 1, UsageSource.REPORTED));
        // keys of a nested object: what they open closes before the body ends
        byte[] nested = "{\"a\":{\"model\":\"x\",\"usage\":{\"prompt_tokens\":1}}}".getBytes(StandardCharsets.UTF_8);
        assertThat(LastKeysReader.read(nested, nested.length)).isNull();
        // no model at all
        byte[] noModel = "{\"usage\":{\"prompt_tokens\":1}}".getBytes(StandardCharsets.UTF_8);
        assertThat(LastKeysReader.read(noModel, noModel.length)).isNull();
    }

    @Test
    void theLastKeysReadingGivesBackTheByteItBorrowed() {
        String body = "{\"id\":\"x\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":1}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(LastKeysReader.read(bytes, bytes.length)).isNotNull();
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(body);
    }

    @Test
    void aFaultBetweenTheKeysThatLeavesBracketsBalancedGoesUnnoticed() {
        JsonUsageTap tap = feed(List.of(utf8("{\"model\":\"m\",\"x\":tru,,\"usage\":{\"prompt_tokens\":1}}")));
        assertThat(tap.usage()).contains(new Usage(1, 0, 0, 0, 1, UsageSource.REPORTED));
        assertThat(tap.model()).contains("m");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonUsageTap feed(List<Buffer> chunks) {
        JsonUsageTap tap = new JsonUsageTap();
        chunks.forEach(tap::onChunk);
        tap.onEnd();
        return tap;
    }

    private static Buffer utf8(String text) {
        return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
    }
}
