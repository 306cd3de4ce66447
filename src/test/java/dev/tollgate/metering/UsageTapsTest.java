package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageTapsTest {

    private static final UsageTaps TAPS = new UsageTaps(new ObjectMapper());
    private static final String USAGE_ONLY = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\n";

    @Test
    void anAnswerThatIsNoEventStreamIsReadAsJsonWhateverTheOperation() {
        for (String operation : List.of("chat/completions", "completions", "embeddings", "responses")) {
            for (String contentType : List.of("application/json", "application/json; charset=utf-8", "")) {
                assertThat(TAPS.forAnswer(operation, contentType, false)).isInstanceOf(JsonUsageTap.class);
            }
        }
    }

    @Test
    void anEventStreamIsReadInTheFormatOfItsOperation() {
        assertThat(TAPS.forAnswer("responses", "text/event-stream", false)).isInstanceOf(ResponsesSseUsageTap.class);
        assertThat(TAPS.forAnswer("chat/completions", "text/event-stream; charset=utf-8", false))
                .isInstanceOf(ChatSseUsageTap.class);
        assertThat(TAPS.forAnswer("completions", "text/event-stream", true)).isInstanceOf(ChatSseUsageTap.class);
    }

    @Test
    void theUsageOnlyChunkIsWithheldOnlyWhenTheGatewayAskedForIt() {
        assertThat(passed(TAPS.forAnswer("chat/completions", "text/event-stream", true))).isEmpty();
        assertThat(passed(TAPS.forAnswer("chat/completions", "text/event-stream", false))).isEqualTo(USAGE_ONLY);
    }

    private static String passed(UsageTap tap) {
        Buffer passed = SseUsageTapTest.relay(tap, List.of(Buffer.buffer(USAGE_ONLY)));
        assertThat(tap.usage()).as("metered either way").isPresent();
        return passed.toString(StandardCharsets.UTF_8);
    }
}
