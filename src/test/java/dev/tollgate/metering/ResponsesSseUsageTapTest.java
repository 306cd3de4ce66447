package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResponsesSseUsageTapTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] STREAM = Fixtures.load("responses-stream.sse");

    @Test
    void readsUsageAndModelFromTheResponseObjectAndTextFromItsDeltas() {
        for (int at = 0; at <= STREAM.length; at++) {
            ResponsesSseUsageTap tap = new ResponsesSseUsageTap(MAPPER);
            Buffer passed = SseUsageTapTest.relay(tap, Fixtures.cutAt(STREAM, at));
            assertThat(tap.usage()).as("cut at %d", at).contains(new Usage(328, 0, 552, 512, 880, UsageSource.REPORTED));
            assertThat(tap.model()).contains("o4-mini-2025-04-16");
            assertThat(tap.outputText()).isEqualTo("Bonjour — ");
            assertThat(passed.getBytes()).as("every event passed on").isEqualTo(STREAM);
        }
    }

    @Test
    void anEventWithoutAResponseObjectIsReadItself() {
        ResponsesSseUsageTap tap = new ResponsesSseUsageTap(MAPPER);
        SseUsageTapTest.relay(tap, List.of(Buffer.buffer("data: {\"type\":\"response.completed\",\"model\":\"m\","
                + "\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}\n\n")));
        assertThat(tap.usage()).contains(new Usage(1, 0, 2, 0, 3, UsageSource.REPORTED));
        assertThat(tap.model()).contains("m");
    }

    @Test
    void aUsageEventWithoutChoicesIsPassedOnAndChatTextIsNotItsText() {
        String stream = "data: {\"choices\":[{\"delta\":{\"content\":\"chat\"}}]}\n\n"
                + "data: {\"type\":\"response.completed\",\"choices\":[],\"response\":{\"model\":\"m\","
                + "\"usage\":{\"input_tokens\":1}}}\n\n";
        ResponsesSseUsageTap tap = new ResponsesSseUsageTap(MAPPER);
        Buffer passed = SseUsageTapTest.relay(tap, List.of(Buffer.buffer(stream)));
        assertThat(passed.toString(StandardCharsets.UTF_8)).isEqualTo(stream);
        assertThat(tap.usage()).contains(new Usage(1, 0, 0, 0, 1, UsageSource.REPORTED));
        assertThat(tap.outputText()).isEmpty();
    }
}
