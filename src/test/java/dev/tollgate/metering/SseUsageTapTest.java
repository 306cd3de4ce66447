package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The event-stream machinery every stream format shares, through chat chunks (their own rules in ChatSseUsageTap). */
class SseUsageTapTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] CHAT_STREAM = Fixtures.load("chat-stream.sse");
    private static final Usage CHAT_USAGE = new Usage(1290, 1152, 5, 0, 1295, UsageSource.REPORTED);

    @Test
    void findsUsageAndModelWhereverTheNetworkCutsTheStream() {
        for (int at = 0; at <= CHAT_STREAM.length; at++) {
            SseUsageTap tap = new ChatSseUsageTap(MAPPER, false);
            Buffer passed = relay(tap, Fixtures.cutAt(CHAT_STREAM, at));
            assertThat(tap.usage()).as("cut at %d", at).contains(CHAT_USAGE);
            assertThat(tap.model()).as("the first chunk's empty model is not the model served").contains("gpt-4o-2024-08-06");
            assertThat(passed.getBytes()).as("cut at %d: passed on whole, multi-byte characters intact", at).isEqualTo(CHAT_STREAM);
            assertThat(tap.outputText()).as("the text kept for an estimate").isEqualTo("Un péage 🚗");
        }
    }

    @Test
    void fedOneByteAtATimeItPassesOnlyWholeEvents() {
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, false);
        int partialWrites = 0;
        for (Buffer chunk : Fixtures.bytewise(CHAT_STREAM)) {
            Buffer out = tap.onChunk(chunk);
            if (out.length() > 0 && !out.toString(StandardCharsets.UTF_8).endsWith("\n\n")) {
                partialWrites++;
            }
        }
        assertThat(partialWrites).isZero();
        assertThat(tap.usage()).contains(CHAT_USAGE);
    }

    @Test
    void withholdsTheUsageChunkTheGatewayAskedForAndNothingElse() {
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, true);
        String passed = relay(tap, List.of(Buffer.buffer(CHAT_STREAM))).toString(StandardCharsets.UTF_8);
        assertThat(passed).doesNotContain("\"usage\":{");
        assertThat(passed).as("Azure's prompt-filter chunk also has no choices, and stays")
                .contains("prompt_filter_results").contains("Un péage 🚗").endsWith("data: [DONE]\n\n");
        assertThat(passed.split("\n\n")).hasSize(5);
        assertThat(tap.usage()).contains(CHAT_USAGE);
    }

    @Test
    void understandsCarriageReturnLineEnds() {
        String crlf = new String(CHAT_STREAM, StandardCharsets.UTF_8).replace("\n", "\r\n");
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, true);
        String passed = relay(tap, List.of(Buffer.buffer(crlf))).toString(StandardCharsets.UTF_8);
        assertThat(tap.usage()).contains(CHAT_USAGE);
        assertThat(passed).doesNotContain("\"usage\":{").endsWith("data: [DONE]\r\n\r\n");
    }

    @Test
    void aStreamCutBeforeTheUsageChunkHasNoUsageAndPassesOnItsTail() {
        String text = new String(CHAT_STREAM, StandardCharsets.UTF_8);
        String cut = text.substring(0, text.indexOf("\"finish_reason\":\"stop\""));
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, false);
        Buffer passed = relay(tap, List.of(Buffer.buffer(cut)));
        assertThat(tap.usage()).isEmpty();
        assertThat(passed.toString(StandardCharsets.UTF_8)).isEqualTo(cut);
    }

    @Test
    void aChunkOfWholeEventsPassesAsItCame() {
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, true);
        Buffer chunk = Buffer.buffer("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n");
        assertThat(tap.onChunk(chunk)).isSameAs(chunk);
    }

    @Test
    void theTextIsReadOnlyWhenAskedForAndAsOftenAsAskedFor() {
        SseUsageTap tap = new ChatSseUsageTap(MAPPER, false);
        Buffer passed = relay(tap, Fixtures.cutAt(CHAT_STREAM, 700));
        assertThat(passed.getBytes()).isEqualTo(CHAT_STREAM);
        assertThat(tap.outputText()).isEqualTo("Un péage 🚗").isEqualTo(tap.outputText());
    }

    static Buffer relay(UsageTap tap, List<Buffer> chunks) {
        Buffer passed = Buffer.buffer();
        chunks.forEach(chunk -> passed.appendBuffer(tap.onChunk(chunk)));
        return passed.appendBuffer(tap.onEnd());
    }
}
