package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The stream usage tap as it was first written, a Jackson tree of every event: the reference {@link SseUsageTap} must
 * agree with, byte for byte and text for text (see {@code UsageTapEquivalenceTest}). Test code only.
 */
final class ReferenceSseUsageTap implements UsageTap {

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;
    private final boolean withholdUsageChunk;
    private final ReferenceSseEventSplitter splitter = new ReferenceSseEventSplitter();
    private final StringBuilder output = new StringBuilder();
    private String model;
    private Usage usage;

    ReferenceSseUsageTap(ObjectMapper mapper, boolean withholdUsageChunk) {
        this.mapper = mapper;
        this.withholdUsageChunk = withholdUsageChunk;
    }

    @Override
    public Buffer onChunk(Buffer chunk) {
        Buffer forward = Buffer.buffer(chunk.length());
        splitter.feed(chunk, event -> {
            if (inspect(event)) {
                forward.appendBuffer(event);
            }
        });
        return forward;
    }

    @Override
    public Buffer onEnd() {
        Buffer rest = splitter.remainder();
        if (rest.length() > 0) {
            inspect(rest);
        }
        return rest;
    }

    /** Reads the event's data; returns whether the caller should get it. */
    private boolean inspect(Buffer event) {
        JsonNode json = data(event);
        if (json == null || !json.isObject()) {
            return true;
        }
        JsonNode response = json.path("response");
        JsonNode body = response.isObject() ? response : json;
        // Azure's first chunk (prompt filter results) carries "model": "", the later ones the model served.
        if (model == null && !body.path("model").asText("").isEmpty()) {
            model = body.path("model").asText();
        }
        collectText(json);
        JsonNode usageNode = body.path("usage");
        if (!usageNode.isObject()) {
            return true;
        }
        usage = Usage.reported(UsageFields.numbers(usageNode));
        JsonNode choices = json.path("choices");
        boolean usageOnly = choices.isArray() && choices.isEmpty();
        return !(withholdUsageChunk && usageOnly);
    }

    /** Keeps the generated text (chat deltas, completion text, Responses API text deltas) in case usage never comes. */
    private void collectText(JsonNode json) {
        for (JsonNode choice : json.path("choices")) {
            JsonNode content = choice.path("delta").path("content");
            output.append(content.isTextual() ? content.asText() : choice.path("text").asText(""));
        }
        if ("response.output_text.delta".equals(json.path("type").asText())) {
            output.append(json.path("delta").asText(""));
        }
    }

    @Override
    public String outputText() {
        return output.toString();
    }

    /** The JSON of the event's data line(s), or null for [DONE], comments and anything unreadable. */
    private JsonNode data(Buffer event) {
        byte[] bytes = event.getBytes();
        StringBuilder data = null;
        int lineStart = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i < bytes.length && bytes[i] != '\n') {
                continue;
            }
            int lineEnd = i > lineStart && bytes[i - 1] == '\r' ? i - 1 : i;
            if (startsWith(bytes, lineStart, lineEnd, DATA)) {
                int from = lineStart + DATA.length;
                if (from < lineEnd && bytes[from] == ' ') {
                    from++;
                }
                data = data == null ? new StringBuilder() : data.append('\n');
                data.append(new String(bytes, from, lineEnd - from, StandardCharsets.UTF_8));
            }
            lineStart = i + 1;
        }
        if (data == null || data.isEmpty() || data.charAt(0) != '{') {
            return null;
        }
        try {
            return mapper.readTree(data.toString());
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    @Override
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }
}
