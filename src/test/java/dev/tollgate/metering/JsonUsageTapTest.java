package dev.tollgate.metering;

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
