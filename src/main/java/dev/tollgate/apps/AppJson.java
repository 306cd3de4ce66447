package dev.tollgate.apps;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin API's request bodies, read strictly: invalid JSON, an unknown field (a typo would otherwise be dropped
 * silently) or a value of the wrong type is a 400 naming it. {@code appId}, {@code createdAt} and {@code updatedAt}
 * may be sent back as the API showed them, so a GET's answer can be edited and PUT as it is; {@code appId} must then
 * be the path's.
 */
final class AppJson {

    private static final List<String> WRITABLE = List.of("displayName", "businessUnit", "costCenter", "ownerContact",
            "tags");
    private static final List<String> READ_ONLY = List.of("appId", "createdAt", "updatedAt");

    private final ObjectReader reader;

    AppJson(ObjectMapper mapper) {
        this.reader = mapper.reader()
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The body of a PUT: the whole app. */
    RegisteredApp replacement(String appId, String body) {
        ObjectNode json = object(appId, body);
        return new RegisteredApp(appId, requiredText(json, "displayName"), requiredText(json, "businessUnit"),
                requiredText(json, "costCenter"), optionalText(json, "ownerContact"), tags(json.get("tags")));
    }

    /**
     * The body of a PATCH, a JSON merge patch (RFC 7396): the fields sent replace the app's; {@code ownerContact: null}
     * removes it; {@code tags} merges key by key, a key set to null is removed ({@code tags: null} removes all).
     */
    RegisteredApp merged(RegisteredApp current, String body) {
        ObjectNode json = object(current.appId(), body);
        String displayName = json.has("displayName") ? requiredText(json, "displayName") : current.displayName();
        String businessUnit = json.has("businessUnit") ? requiredText(json, "businessUnit") : current.businessUnit();
        String costCenter = json.has("costCenter") ? requiredText(json, "costCenter") : current.costCenter();
        String ownerContact = json.has("ownerContact") ? optionalText(json, "ownerContact") : current.ownerContact();
        Map<String, String> tags = new LinkedHashMap<>(current.tags());
        JsonNode patch = json.get("tags");
        if (patch != null && patch.isNull()) {
            tags.clear();
        } else if (patch != null) {
            requireObject(patch);
            for (Map.Entry<String, JsonNode> tag : patch.properties()) {
                if (tag.getValue().isNull()) {
                    tags.remove(tag.getKey());
                } else {
                    tags.put(tag.getKey(), tagValue(tag.getKey(), tag.getValue()));
                }
            }
        }
        return new RegisteredApp(current.appId(), displayName, businessUnit, costCenter, ownerContact, tags);
    }

    private ObjectNode object(String appId, String body) {
        if (body == null || body.isBlank()) {
            throw bad("The body is empty; send a JSON object with displayName, businessUnit and costCenter.");
        }
        JsonNode json;
        try {
            json = reader.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw bad("The body is not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (!(json instanceof ObjectNode object)) {
            throw bad("The body must be a JSON object; got " + type(json) + ".");
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            String name = field.getKey();
            if (!WRITABLE.contains(name) && !READ_ONLY.contains(name)) {
                throw bad("Unknown field '" + AppRules.printable(name) + "'; an app has "
                        + String.join(", ", WRITABLE) + ".");
            }
        }
        JsonNode bodyId = object.get("appId");
        if (bodyId != null && !bodyId.isNull() && !(bodyId.isTextual() && bodyId.textValue().equals(appId))) {
            throw bad("appId in the body (" + AppRules.printable(bodyId.toString()) + ") is not the app id of the path ('"
                    + AppRules.printable(appId) + "'); an app cannot be renamed, register the new id and delete the old.");
        }
        return object;
    }

    private static String requiredText(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            throw bad(field + " is required and must not be blank.");
        }
        return text(field, value);
    }

    private static String optionalText(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : text(field, value);
    }

    private static String text(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw bad(field + " must be a JSON string; got " + type(value) + ".");
        }
        return value.textValue();
    }

    private static Map<String, String> tags(JsonNode tags) {
        Map<String, String> result = new LinkedHashMap<>();
        if (tags == null || tags.isNull()) {
            return result;
        }
        requireObject(tags);
        for (Map.Entry<String, JsonNode> tag : tags.properties()) {
            result.put(tag.getKey(), tagValue(tag.getKey(), tag.getValue()));
        }
        return result;
    }

    private static void requireObject(JsonNode tags) {
        if (!tags.isObject()) {
            throw bad("tags must be a JSON object of strings, e.g. {\"env\":\"prod\"}; got "
                    + type(tags) + ".");
        }
    }

    private static String tagValue(String key, JsonNode value) {
        if (!value.isTextual()) {
            throw bad("Tag '" + AppRules.printable(key) + "' must have a string value; got "
                    + type(value) + ".");
        }
        return value.textValue();
    }

    private static String type(JsonNode value) {
        return value.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static GatewayException bad(String message) {
        return new GatewayException(ErrorCode.BAD_REQUEST, message);
    }
}
