package dev.tollgate.proxy;

import io.vertx.core.MultiMap;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Both directions are allow-lists: the caller's {@code Authorization} (and any
 * {@code api-key} it sent) never reach a backend, and a backend's internals never reach the caller beyond what AOAI
 * clients use (rate-limit state, retry hints, request ids, region).
 */
final class HeaderPolicy {

    private static final Set<String> REQUEST = Set.of("accept", "user-agent", "x-ms-client-request-id",
            "x-ms-useragent", "openai-beta");

    private static final Set<String> RESPONSE = Set.of("content-type", "retry-after", "retry-after-ms",
            "apim-request-id", "x-ms-region", "openai-processing-ms", "x-ms-client-request-id", "cache-control");

    private static final String RATE_LIMIT_PREFIX = "x-ratelimit-";

    private HeaderPolicy() {
    }

    static void copyRequestHeaders(MultiMap from, MultiMap to) {
        for (Map.Entry<String, String> header : from) {
            if (REQUEST.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }

    static void copyResponseHeaders(MultiMap from, MultiMap to) {
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (RESPONSE.contains(name) || name.startsWith(RATE_LIMIT_PREFIX)) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }
}
