package dev.tollgate.routing;

import dev.tollgate.routing.DeploymentType;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.net.URI;
import java.time.Duration;
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

        /** How the gateway authenticates to the instance: {@code api-key} or {@code entra-id}. */
        @WithDefault("api-key")
        AuthKind auth();

        /** The instance's own key, sent upstream as {@code api-key} (auth api-key); callers never see it. */
        Optional<String> apiKey();

        /** The Entra ID identity the gateway uses for this instance (auth entra-id). */
        Entra entra();

        /** Deployment names this instance serves under the same name (implicit round-robin pools). */
        Optional<List<String>> deployments();

        /** Azure region of the instance; recorded with each request it serves (prices can differ by region). */
        Optional<String> region();

        /**
         * The instance's Azure resource id, {@code /subscriptions/<id>/resourceGroups/<group>/providers/
         * Microsoft.CognitiveServices/accounts/<name>}: what Azure's cost exports name it by, so the FOCUS export and
         * the reconciliation with the Azure bill can say which resource a charge is for.
         */
        Optional<String> resourceId();

        /**
         * How the instance's deployments are hosted ({@code global}, {@code data-zone} or {@code regional}), which
         * selects their price: the response cannot tell. Default {@code global}.
         */
        @WithDefault("global")
        DeploymentType deploymentType();

        /** Exceptions to {@link #deploymentType()} by upstream deployment name. */
        Map<String, DeploymentType> deploymentTypes();

        /** Time allowed to open a connection; default {@code tollgate.proxy.connect-timeout}. */
        Optional<Duration> connectTimeout();

        /**
         * Longest silence allowed from the instance, before the first byte and between chunks; default
         * {@code tollgate.proxy.idle-timeout}.
         */
        Optional<Duration> idleTimeout();

        /** Longest a whole answer may take, streams included; default {@code tollgate.proxy.request-timeout}. */
        Optional<Duration> requestTimeout();

        /** An optional active health check of the instance. */
        Probe probe();
    }

    interface Probe {
        /**
         * Path (and query) to GET with the backend's credentials, e.g.
         * {@code /openai/models?api-version=2024-10-21}; no probe when absent.
         */
        Optional<String> path();

        @WithDefault("PT15S")
        Duration interval();

        @WithDefault("PT5S")
        Duration timeout();
    }

    enum AuthKind {
        API_KEY,
        ENTRA_ID
    }

    interface Entra {
        /** managed-identity, workload-identity, client-secret or default (DefaultAzureCredential's chain). */
        @WithDefault("default")
        String kind();

        Optional<String> tenantId();

        /** The user-assigned managed identity's or the app registration's client id. */
        Optional<String> clientId();

        Optional<String> clientSecret();

        /** Entra authority, for sovereign clouds (and tests); default the public cloud's. */
        Optional<String> authorityHost();
    }
}
