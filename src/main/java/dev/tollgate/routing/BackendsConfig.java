package dev.tollgate.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The AOAI instances behind the gateway, keyed by a backend id of the operator's choosing (lower-case letters, digits
 * and dashes; it names the backend in usage records and metrics):
 * <pre>
 * tollgate.backends.swedencentral.url=https://my-aoai-swc.openai.azure.com
 * tollgate.backends.swedencentral.api-key=${AOAI_SWC_KEY}
 * tollgate.backends.swedencentral.deployments=gpt-4o,text-embedding-3-small
 * </pre>
 */
@ConfigMapping(prefix = "tollgate.backends")
public interface BackendsConfig {

    @WithParentName
    Map<String, Backend> all();

    interface Backend {
        /** Base URL of the instance, e.g. {@code https://my-aoai.openai.azure.com}. */
        URI url();

        /** The instance's own key, sent upstream as {@code api-key}; callers never see it. */
        String apiKey();

        /** Deployment names this instance serves; callers ask for these names. */
        List<String> deployments();

        /** Azure region of the instance; recorded with each request it serves (prices can differ by region). */
        Optional<String> region();
    }
}
