package dev.tollgate.admission.estimate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.metering.TokenEstimator;
import dev.tollgate.support.Requests;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The quick estimate against the tokenizer's count, on the kinds of text docs/admission.md states figures for. */
class DemandEstimatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final DemandEstimator estimator = new DemandEstimator(new TokenEstimator(), 1024);

    private static ObjectNode chat(String text) {
        ObjectNode body = MAPPER.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    private TokenDemand quick(String operationPath, ObjectNode body) {
        return estimator.quick(Requests.read("gpt-4o", operationPath, body));
    }

    private double ratio(String text) {
        var request = Requests.read("gpt-4o", "chat/completions", chat(text));
        return (double) estimator.quick(request).input() / estimator.exact(request).input();
    }

    @Test
    void englishProseIsSlightlyOverestimated() {
        String prose = ("The platform team must be able to say that this app may use fifty thousand tokens per minute "
                + "of the larger model and two thousand dollars this month, and have that hold on every replica. ")
                .repeat(20);
        assertThat(ratio(prose)).isBetween(1.0, 1.3);
    }

    @Test
    void cjkTextIsUnderestimatedByAboutAQuarter() {
        String cjk = "東京都の天気予報によると、明日は晴れのち曇りで、最高気温は二十度の見込みです。".repeat(20);
        assertThat(ratio(cjk)).isBetween(0.5, 1.0);
    }

    @Test
    void theOutputReserveIsTheRequestsOwnMaximumTimesChoicesElseTheDefaultAndNoneForEmbeddings() {
        ObjectNode body = chat("hi");
        assertThat(quick("chat/completions", body).output()).isEqualTo(1024);
        body.put("max_tokens", 300);
        assertThat(quick("chat/completions", body).output()).isEqualTo(300);
        body.put("max_completion_tokens", 200).put("n", 3);
        assertThat(quick("chat/completions", body).output()).isEqualTo(600);
        ObjectNode embeddings = MAPPER.createObjectNode().put("input", "some text to embed");
        assertThat(quick("embeddings", embeddings).output()).isZero();
        assertThat(quick("embeddings", embeddings).input()).isEqualTo(5);
        ObjectNode responses = MAPPER.createObjectNode().put("input", "hello there").put("max_output_tokens", 50);
        assertThat(quick("responses", responses)).isEqualTo(new TokenDemand(3, 50));
    }

    @Test
    void imagesAreNotCountedAsText() {
        ObjectNode body = MAPPER.createObjectNode();
        var content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", "What is in this picture?");
        content.addObject().put("type", "image_url").putObject("image_url").put("url",
                "data:image/png;base64," + "A".repeat(100_000));
        assertThat(quick("chat/completions", body).input()).isLessThan(20);
    }
}
