package dev.tollgate.metering;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PlainUsageReaderTest {

    @Test
    void readsThePlainShapeOfBothVocabularies() {
        assertThat(read("{\"prompt_tokens\":2066,\"completion_tokens\":1203,\"total_tokens\":3269,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":1920,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":1024}}"))
                .contains(new Usage(2066, 1920, 1203, 1024, 3269, UsageSource.REPORTED));
        assertThat(read("{ \"input_tokens\" : 36 ,\n \"input_tokens_details\": {\"cached_tokens\": 4},"
                + " \"output_tokens\": 87, \"output_tokens_details\": {}, \"total_tokens\": 123 }"))
                .contains(new Usage(36, 4, 87, 0, 123, UsageSource.REPORTED));
    }

    @Test
    void aNestedNameCountsOnlyUnderItsOwnParent() {
        // reasoning under the prompt's details, cached under an unknown object: neither is read
        assertThat(read("{\"prompt_tokens\":5,\"prompt_tokens_details\":{\"reasoning_tokens\":3},"
                + "\"other_details\":{\"cached_tokens\":4}}"))
                .contains(new Usage(5, 0, 0, 0, 5, UsageSource.REPORTED));
    }

    @Test
    void leavesEveryOtherShapeToJackson() {
        for (String usage : List.of("{\"prompt_tokens\":1.0}", "{\"prompt_tokens\":1e3}", "{\"prompt_tokens\":01}",
                "{\"prompt_tokens\":1234567890123456789}", "{\"pr\\u006fmpt_tokens\":1}", "{\"prompt_tokens\":null}",
                "{\"prompt_tokens\":[1]}", "{\"a\":{\"b\":{\"c\":1}}}", "{\"prompt_tokens\":1,}",
                "{\"prompt_tokens\":1", "{\"prompt_tokens\" 1}")) {
            byte[] bytes = usage.getBytes(StandardCharsets.UTF_8);
            assertThat(PlainUsageReader.read(bytes, 0, bytes.length, new BodyReading())).as(usage).isFalse();
        }
    }

    @Test
    void anEmptyObjectIsWholeAndHasNoNumbers() {
        byte[] bytes = "{ }".getBytes(StandardCharsets.UTF_8);
        BodyReading reading = new BodyReading();
        assertThat(PlainUsageReader.read(bytes, 0, bytes.length, reading)).isTrue();
        assertThat(reading.usageComplete()).isTrue();
        assertThat(reading.usage()).isEmpty();
    }

    private static java.util.Optional<Usage> read(String usage) {
        byte[] bytes = usage.getBytes(StandardCharsets.UTF_8);
        BodyReading reading = new BodyReading();
        assertThat(PlainUsageReader.read(bytes, 0, bytes.length, reading)).as(usage).isTrue();
        return reading.usage();
    }
}
