package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** The numbers of an upstream {@code usage} object, keyed by their dotted path in it, as {@link Usage#reported} reads them. */
final class UsageFields {

    private UsageFields() {
    }

    static Map<String, Long> numbers(JsonNode usage) {
        Map<String, Long> fields = new HashMap<>();
        collect("", usage, fields);
        return fields;
    }

    private static void collect(String prefix, JsonNode node, Map<String, Long> fields) {
        Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String path = prefix + entry.getKey();
            if (entry.getValue().isIntegralNumber()) {
                fields.put(path, entry.getValue().asLong());
            } else if (entry.getValue().isObject()) {
                collect(path + ".", entry.getValue(), fields);
            }
        }
    }
}
