package dev.tollgate.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Snapshot of one request as the simulated backend received it, so a test can check what the gateway really put on
 * the wire (for example that it sent {@code api-key} and did not forward {@code Authorization}).
 *
 * @param method  HTTP method, e.g. {@code POST}
 * @param path    request path without the query
 * @param query   raw query string without {@code ?}, or {@code null} when there was none
 * @param headers headers with case-insensitive names; repeated headers are joined with {@code ", "}
 * @param body    request body decoded as UTF-8 ({@code ""} when empty)
 */
public record RecordedRequest(String method, String path, String query, Map<String, String> headers, String body) {

    public RecordedRequest {
        // Copy into a case-insensitive map because HTTP header names are case-insensitive and callers should not care
        // how the gateway spelled them.
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
    }

    /** The header's value, or {@code null} if it was not sent. */
    public String header(String name) {
        return headers.get(name);
    }

    public boolean hasHeader(String name) {
        return headers.containsKey(name);
    }

    /** The first value of a query parameter, URL-decoded, or {@code null} if absent. */
    public String queryParam(String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
