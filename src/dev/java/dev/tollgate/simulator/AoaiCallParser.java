package dev.tollgate.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a routed HTTP request into an {@link AoaiCall}, rejecting what Azure would reject with a 400 so the gateway's
 * error path can be exercised against the same messages.
 */
final class AoaiCallParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AoaiCallParser() {
    }

    static AoaiCall parse(AoaiRoute route, String apiVersion, String rawBody) {
        if (route.requiresApiVersion() && (apiVersion == null || apiVersion.isBlank())) {
            throw AoaiError.badRequest("Missing required query parameter 'api-version'. "
                    + "Please provide a valid api-version, for example api-version=2024-10-21.");
        }
        ObjectNode body = parseBody(rawBody);
        String deployment = route.deployment() != null ? route.deployment() : requiredModel(body);
        Operation operation = route.operation();
        boolean stream = operation.canStream() && body.path("stream").asBoolean(false);
        boolean includeUsage;
        if (operation == Operation.RESPONSES) {
            includeUsage = stream; // usage always comes with the final event; stream_options has no say here
        } else {
            JsonNode streamOptions = body.get("stream_options");
            if (streamOptions != null && !streamOptions.isNull() && !stream && operation.canStream()) {
                throw AoaiError.badRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            }
            includeUsage = stream && body.path("stream_options").path("include_usage").asBoolean(false);
        }
        if (operation == Operation.EMBEDDINGS) {
            validateDimensions(body.get("dimensions"));
        }
        return new AoaiCall(operation, deployment, ModelCatalog.servedModel(deployment),
                apiVersion == null || apiVersion.isBlank() ? "v1" : apiVersion, stream, includeUsage,
                maxCompletionTokens(body, operation), prompt(body, operation), body);
    }

    private static ObjectNode parseBody(String rawBody) {
        JsonNode node;
        try {
            node = JSON.readTree(rawBody);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw AoaiError.badRequest("We could not parse the JSON body of your request. The API expects a JSON "
                + "payload, but what was sent was not valid JSON.");
    }

    private static String requiredModel(ObjectNode body) {
        String model = body.path("model").asText("");
        if (model.isBlank()) {
            throw AoaiError.badRequest("you must provide a model parameter");
        }
        return model;
    }

    /**
     * {@code max_completion_tokens} supersedes {@code max_tokens} in the current API, so it wins when both exist; the
     * Responses API knows only {@code max_output_tokens}.
     */
    private static Integer maxCompletionTokens(ObjectNode body, Operation operation) {
        List<String> fields = switch (operation) {
            case EMBEDDINGS -> List.of();
            case RESPONSES -> List.of("max_output_tokens");
            case CHAT, COMPLETIONS -> List.of("max_completion_tokens", "max_tokens");
        };
        for (String field : fields) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
                throw AoaiError.badRequest("Invalid '" + field + "': integer below minimum value. "
                        + "Expected a value >= 1, but got " + value + " instead.");
            }
            return value.asInt();
        }
        return null;
    }

    private static void validateDimensions(JsonNode requested) {
        if (requested == null || requested.isNull()) {
            return;
        }
        if (!requested.isIntegralNumber() || requested.asInt() < 1
                || requested.asInt() > EmbeddingVectors.MAX_DIMENSIONS) {
            throw AoaiError.badRequest("Invalid 'dimensions': expected an integer between 1 and "
                    + EmbeddingVectors.MAX_DIMENSIONS + ", got " + requested + ".");
        }
    }

    private static Prompt prompt(ObjectNode body, Operation operation) {
        return switch (operation) {
            case CHAT -> chatPrompt(body);
            case COMPLETIONS -> new Prompt(items(body.get("prompt"), "prompt", false), 0);
            case EMBEDDINGS -> new Prompt(items(body.get("input"), "input", true), 0);
            case RESPONSES -> responsesPrompt(body);
        };
    }

    /**
     * {@code instructions} count as one system message; {@code input} is a string (one user message) or a list of
     * items, of which messages cost framing tokens plus their text and other items (tool calls and their outputs)
     * only their text.
     */
    private static Prompt responsesPrompt(ObjectNode body) {
        List<Prompt.Item> items = new ArrayList<>();
        int messages = 0;
        JsonNode instructions = body.get("instructions");
        if (instructions != null && !instructions.isNull()) {
            if (!instructions.isTextual()) {
                throw invalidType("instructions", "a string", instructions);
            }
            items.add(Prompt.Item.text(instructions.asText()));
            messages++;
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw AoaiError.badRequest("Missing required parameter: 'input'.");
        }
        if (input.isTextual()) {
            items.add(Prompt.Item.text(input.asText()));
            messages++;
        } else if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isObject()) {
                    throw invalidType("input[" + i + "]", "an object", item);
                }
                if (isMessage(item)) {
                    items.add(Prompt.Item.text(contentText(item.get("content"))));
                    messages++;
                } else {
                    items.add(Prompt.Item.text(toolItemText(item)));
                }
            }
        } else {
            throw invalidType("input", "one of a string or array of input items", input);
        }
        return new Prompt(items, messages);
    }

    /** A message item names a role; its {@code type} is optional and then {@code "message"}. */
    private static boolean isMessage(JsonNode item) {
        return item.hasNonNull("role") && "message".equals(item.path("type").asText("message"));
    }

    /** Function calls bill their arguments, function outputs their output; references and the like nothing. */
    private static String toolItemText(JsonNode item) {
        for (String field : List.of("arguments", "output")) {
            JsonNode value = item.get(field);
            if (value != null && value.isTextual()) {
                return value.asText();
            }
            if (value != null && value.isArray()) {
                return contentText(value);
            }
        }
        return "";
    }

    private static AoaiError invalidType(String field, String expected, JsonNode actual) {
        return AoaiError.badRequest("Invalid type for '" + field + "': expected " + expected + ", but got "
                + jsonType(actual) + " instead.");
    }

    private static String jsonType(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "a boolean";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case STRING -> "a string";
            default -> "null";
        };
    }

    private static Prompt chatPrompt(ObjectNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw AoaiError.badRequest("'messages' is a required property and must be a non-empty array.");
        }
        List<Prompt.Item> items = new ArrayList<>();
        for (JsonNode message : messages) {
            items.add(Prompt.Item.text(contentText(message.get("content"))));
        }
        return new Prompt(items, messages.size());
    }

    /** Content is either a string or a list of parts, of which only text parts carry prompt characters. */
    private static String contentText(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if (part.hasNonNull("text")) {
                    text.append(part.get("text").asText());
                }
            }
        }
        return text.toString();
    }

    /**
     * A string, an array of strings, an array of token ids, or an array of token-id arrays, as the OpenAI API allows
     * for {@code prompt} and {@code input}.
     */
    private static List<Prompt.Item> items(JsonNode node, String field, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw AoaiError.badRequest("'" + field + "' is a required property.");
            }
            return List.of(Prompt.Item.text(""));
        }
        if (node.isTextual()) {
            return List.of(Prompt.Item.text(node.asText()));
        }
        if (node.isArray() && !node.isEmpty()) {
            if (isTokenArray(node)) {
                return List.of(new Prompt.Item(node.toString(), node.size()));
            }
            List<Prompt.Item> items = new ArrayList<>();
            for (JsonNode element : node) {
                if (element.isTextual()) {
                    items.add(Prompt.Item.text(element.asText()));
                } else if (element.isArray() && !element.isEmpty() && isTokenArray(element)) {
                    items.add(new Prompt.Item(element.toString(), element.size()));
                } else {
                    throw invalidInput(field);
                }
            }
            return items;
        }
        throw invalidInput(field);
    }

    private static boolean isTokenArray(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }

    private static AoaiError invalidInput(String field) {
        return AoaiError.badRequest("'" + field + "' must be a string, an array of strings, an array of tokens or "
                + "an array of token arrays, and must not be empty.");
    }
}
