package dev.tollgate.metering;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenEstimatorTest {

    private final TokenEstimator estimator = new TokenEstimator();

    @Test
    void chatPromptsCountMessagesTheWayOpenAiDoes() {
        Buffer chat = Buffer.buffer("{\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello, world!\"}]}");
        Usage usage = estimator.estimate(chat, "Hi.", "gpt-4o-2024-08-06");
        // o200k_base: "You are terse." = 4, "Hello, world!" = 4, roles 1 each, 3 per message, 3 priming.
        assertThat(usage).isEqualTo(new Usage(19, 0, 2, 0, 21, UsageSource.ESTIMATED));
    }

    @Test
    void contentPartsCountTheirTextOnly() {
        Buffer chat = Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Hello, world!\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");
        assertThat(estimator.estimate(chat, "", "gpt-4o").inputTokens()).isEqualTo(3 + 1 + 4 + 3);
    }

    @Test
    void embeddingsAndResponsesCountTheirInput() {
        assertThat(estimator.estimate(Buffer.buffer("{\"input\":[\"Hello, world!\",\"Hello, world!\"]}"), null,
                "text-embedding-3-small").inputTokens()).isEqualTo(8);
        assertThat(estimator.estimate(Buffer.buffer("{\"instructions\":\"Be brief.\",\"input\":\"Hello, world!\"}"),
                "", "o4-mini").inputTokens()).isEqualTo(estimator.encodingFor("o4-mini").count("Be brief.") + 4);
    }

    @Test
    void olderModelsUseCl100kAndNewerO200k() {
        String text = "Chargeback per business unit, réparti par centre de coûts 📊";
        int cl100k = estimator.encodingFor("gpt-4-32k").count(text);
        int o200k = estimator.encodingFor("gpt-4o").count(text);
        assertThat(cl100k).isNotEqualTo(o200k);
        assertThat(estimator.encodingFor("gpt-35-turbo").count(text)).isEqualTo(cl100k);
        assertThat(estimator.encodingFor("gpt-4.1-mini").count(text)).isEqualTo(o200k);
        assertThat(estimator.encodingFor("o3-mini").count(text)).isEqualTo(o200k);
    }
}
