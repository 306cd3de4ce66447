package dev.tollgate.proxy;

import io.vertx.core.MultiMap;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which headers cross the gateway. Both directions are allow-lists: the caller's {@code Authorization} (and any
 * {@code api-key} it sent) never reach a backend, and a backend's internals never reach the caller beyond what AOAI
 * clients use (rate-limit state, retry hints, request ids, region).
 */
final class HeaderPolicy {

    private static final Set<String> REQUEST = ignoringCase("accept", "user-agent", "x-ms-client-request-id",
            "x-ms-useragent", "openai-beta");

    private static final Set<String> RESPONSE = ignoringCase("content-type", "retry-after", "retry-after-ms",
            "apim-request-id", "x-ms-region", "openai-processing-ms", "x-ms-client-request-id", "cache-control");

    private static final String RATE_LIMIT_PREFIX = "x-ratelimit-";

    private HeaderPolicy() {
    }

    static void copyRequestHeaders(MultiMap from, MultiMap to) {
        from.forEach((name, value) -> {
            if (REQUEST.contains(name)) {
                to.add(name, value);
            }
        });
    }

    static void copyResponseHeaders(MultiMap from, MultiMap to) {
        from.forEach((name, value) -> {
            if (RESPONSE.contains(name) || rateLimit(name)) {
                to.add(name, value);
            }
        });
    }

    private static boolean rateLimit(String name) {
        return name.regionMatches(true, 0, RATE_LIMIT_PREFIX, 0, RATE_LIMIT_PREFIX.length());
    }

    /**
     * Header names compared without regard to case and without lower-casing a copy of every name that passes (two
     * or three comparisons in a set this small): this runs for every header of every request and answer.
     */
    private static Set<String> ignoringCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(List.of(names));
        return Collections.unmodifiableSet(set);
    }
}
