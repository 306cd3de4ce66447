package dev.tollgate.routing;

import java.net.URI;
import java.util.Optional;

/**
 * One AOAI instance.
 *
 * @param id     the operator's name for it, as in {@code tollgate.backends.<id>}
 * @param url    its base URL
 * @param apiKey its key, sent as {@code api-key}
 * @param region its Azure region, if known
 */
public record Backend(String id, URI url, String apiKey, Optional<String> region) {

    public Backend {
        // Paths are appended to it: no trailing slash.
        url = URI.create(url.toString().replaceAll("/+$", ""));
    }

    @Override
    public String toString() {
        // Never the key: backends end up in log lines.
        return id + " (" + url + ")";
    }
}
