package dev.tollgate.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the one streaming pass over a body finds, and the body it sends upstream: usage asked for in the caller's own
 * bytes, the deployment, the token figures admission and the journal use.
 */
class RequestReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final RequestReader reader = new RequestReader(MAPPER);

    private InboundRequest chat(String body) {
        return reader.read(InboundRequest.PathStyle.DEPLOYMENTS, "gpt-4o", "chat/completions", Buffer.buffer(body), "");
    }

    private InboundRequest v1(String operation, String body) {
        return reader.read(InboundRequest.PathStyle.V1, null, operation, Buffer.buffer(body), "");
    }

    private static JsonNode sent(InboundRequest request) throws Exception {
        return MAPPER.readTree(request.body().getBytes());
    }

    @Test
    void aStreamWithoutStreamOptionsAsksForUsageInFrontOfTheCallersBytes() throws Exception {
        String body = "  {\"messages\":[{\"role\":\"user\",\"content\":\"caf\u00e9 \\\"quoted\\\"\"}], \"stream\" : true}";
        InboundRequest request = chat(body);
        assertThat(request.stream()).isTrue();
        assertThat(request.usageInjected()).isTrue();
        assertThat(request.body().toString()).isEqualTo("  {\"stream_options\":{\"include_usage\":true},"
                + body.substring(3));
        assertThat(sent(request).path("stream_options").path("include_usage").booleanValue()).isTrue();
        assertThat(sent(request).path("messages").get(0).path("content").textValue()).isEqualTo("caf\u00e9 \"quoted\"");
    }

    @Test
    void streamOptionsWithoutUsageAreKeptAndUsageAddedToThem() throws Exception {
        InboundRequest other = chat("{\"stream\":true,\"stream_options\":{\"chunk\":3},\"messages\":[]}");
        assertThat(other.usageInjected()).isTrue();
        assertThat(sent(other).path("stream_options").path("chunk").intValue()).isEqualTo(3);
        assertThat(sent(other).path("stream_options").path("include_usage").booleanValue()).isTrue();

        InboundRequest off = chat("{\"stream\":true,\"stream_options\":{\"include_usage\":false},\"messages\":[]}");
        assertThat(off.usageInjected()).isTrue();
        assertThat(sent(off).path("stream_options").path("include_usage").booleanValue()).isTrue();
        assertThat(sent(off).path("stream_options").size()).isEqualTo(1);

        InboundRequest notAnObject = chat("{\"stream\":true,\"stream_options\":null,\"messages\":[]}");
        assertThat(sent(notAnObject).path("stream_options").path("include_usage").booleanValue()).isTrue();
    }

    @Test
    void aBodyThatAsksForUsageItselfOrDoesNotStreamGoesAsSent() {
        Buffer asked = Buffer.buffer("{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}");
        InboundRequest request = reader.read(InboundRequest.PathStyle.DEPLOYMENTS, "gpt-4o", "chat/completions",
                asked, "");
        assertThat(request.usageInjected()).isFalse();
        assertThat(request.body()).isSameAs(asked);

        InboundRequest plain = chat("{\"stream\":false,\"messages\":[]}");
        assertThat(plain.stream()).isFalse();
        assertThat(plain.usageInjected()).isFalse();
        // The Responses API reports usage in its stream unasked, embeddings do not stream.
        assertThat(v1("responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\",\"stream\":true}").usageInjected())
                .isFalse();
    }

    @Test
    void theStreamFlagIsReadAsJacksonReadsAFlag() {
        assertThat(chat("{\"stream\":1,\"messages\":[]}").stream()).isTrue();
        assertThat(chat("{\"stream\":\"true\",\"messages\":[]}").stream()).isTrue();
        assertThat(chat("{\"stream\":0,\"messages\":[]}").stream()).isFalse();
        assertThat(chat("{\"stream\":{\"x\":true},\"messages\":[]}").stream()).isFalse();
        assertThat(chat("{\"stream\":true,\"stream\":false,\"messages\":[]}").stream()).as("the last one").isFalse();
    }

    @Test
    void theModelNamesTheDeploymentOnTheV1PathAndARenamedCopyGoesToAFallback() throws Exception {
        InboundRequest request = v1("chat/completions",
                "{\"model\":\"first\",\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}");
        assertThat(request.deployment()).isEqualTo("gpt-4o");
        assertThat(reader.bodyFor(request, "gpt-4o")).isSameAs(request.body());
        JsonNode renamed = MAPPER.readTree(reader.bodyFor(request, "gpt-4o-fallback").getBytes());
        assertThat(renamed.path("model").textValue()).isEqualTo("gpt-4o-fallback");
        assertThat(renamed.path("stream_options").path("include_usage").booleanValue()).isTrue();

        for (String model : new String[]{"{\"messages\":[]}", "{\"model\":null}", "{\"model\":{\"name\":\"gpt-4o\"}}",
                "{\"model\":\"  \"}"}) {
            assertThatThrownBy(() -> v1("chat/completions", model)).as(model)
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("'model'");
                    });
        }
    }

    @Test
    void bodiesThatAreNotJsonObjectsAreRefusedEvenWhereThePassSkips() {
        for (String body : new String[]{"", "   ", "[1,2]", "\"text\"", "{\"messages\":[}",
                "{\"tools\":[{\"function\":{\"parameters\":{\"type\":tru}}}],\"messages\":[]}",
                "{\"metadata\":{\"note\":\"unterminated}}", "{\"messages\":[]"}) {
            assertThatThrownBy(() -> chat(body)).as(body).isInstanceOfSatisfying(GatewayException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThatThrownBy(() -> chat("{\"tools\":[{\"x\":tru}]}")).hasMessageContaining("not valid JSON")
                .hasMessageContaining("line 1, column");
    }

    @Test
    void theQuickPromptEstimateCountsMessagesTheirTextPartsAndFraming() {
        // 3 priming + 3 per message + (UTF-8 bytes + 3) / 4: "user" 4 + "Hello" 5 = 9 bytes -> 3.
        assertThat(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").tokens().quickPrompt())
                .isEqualTo(3 + 3 + 3);
        // Content parts: text counted, the image's URL not; "é" is 2 bytes, "東" 3, an emoji 4.
        String parts = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\u00e9\u6771\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}},"
                + "[\"\uD83D\uDCCA\"]]}, 42, {\"role\":\"assistant\",\"content\":null}]}";
        // 3 messages (the number counts as one); bytes: 4 + 2 + 3 + 4 + 9 = 22 -> (22 + 3) / 4 = 6.
        assertThat(chat(parts).tokens().quickPrompt()).isEqualTo(3 + 3 * 3 + 6);
        // A key given twice counts once, with its last value.
        assertThat(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"a long first text\",\"content\":\"Hello\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}").tokens().quickPrompt())
                .isEqualTo(3 + 3 + 3);
    }

    @Test
    void withoutAMessagesArrayThePromptIsPromptInputAndInstructions() {
        // Embeddings: two inputs of 13 bytes; Responses: instructions and input items with content parts.
        assertThat(v1("embeddings", "{\"model\":\"e\",\"input\":[\"Hello, world!\",\"Hello, world!\"]}")
                .tokens().quickPrompt()).isEqualTo((26 + 3) / 4);
        assertThat(v1("responses", "{\"model\":\"r\",\"instructions\":\"Be brief.\",\"input\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"input_text\",\"text\":\"Hello, world!\"}]}]}").tokens().quickPrompt())
                .isEqualTo((9 + 13 + 3) / 4);
        assertThat(chat("{\"messages\":\"not a list\",\"prompt\":\"Hello, world!\"}").tokens().quickPrompt())
                .isEqualTo((13 + 3) / 4);
    }

    @Test
    void theOutputLimitIsTheFirstCountGivenAndChoicesAtLeastOne() {
        assertThat(chat("{\"messages\":[]}").tokens()).isEqualTo(new InboundRequest.Tokens(3, -1, 1));
        assertThat(chat("{\"max_tokens\":300,\"max_completion_tokens\":200,\"n\":3,\"messages\":[]}").tokens())
                .isEqualTo(new InboundRequest.Tokens(3, 200, 3));
        assertThat(chat("{\"max_completion_tokens\":-5,\"max_tokens\":\"300\",\"max_output_tokens\":1.5,"
                + "\"n\":0,\"messages\":[]}").tokens()).isEqualTo(new InboundRequest.Tokens(3, -1, 1));
        assertThat(chat("{\"max_tokens\":123456789012345678901234567890,\"n\":{\"x\":2},\"messages\":[]}").tokens())
                .isEqualTo(new InboundRequest.Tokens(3, -1, 1));
    }
}
