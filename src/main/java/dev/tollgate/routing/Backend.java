package dev.tollgate.routing;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.routing.credentials.BackendCredential;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One AOAI instance.
 *
 * @param id             the operator's name for it, as in {@code tollgate.backends.<id>}
 * @param url            its base URL, without trailing slash
 * @param credential     how the gateway authenticates to it
 * @param region         its Azure region, if known
 * @param deploymentType how its deployments are hosted, unless {@code deploymentTypes} names one
 * @param connectTimeout its own connect timeout, if it has one
 * @param idleTimeout    its own idle (first byte, between chunks) timeout, if it has one
 * @param requestTimeout its own whole-answer timeout, if it has one
 * @param probe          its active health check, if it has one
 * @param resourceId     its Azure resource id, if configured
 */
public record Backend(String id, URI url, BackendCredential credential, Optional<String> region,
                      DeploymentType deploymentType, Map<String, DeploymentType> deploymentTypes,
                      Optional<Duration> connectTimeout, Optional<Duration> idleTimeout,
                      Optional<Duration> requestTimeout, Optional<HealthProbe> probe, Optional<String> resourceId) {

    /** GET {@code path} every {@code interval}; a failure or no answer within {@code timeout} counts against it. */
    public record HealthProbe(String path, Duration interval, Duration timeout) {
    }

    /** An ARM resource id: a typo would silently leave the backend's charges without a resource. */
    private static final Pattern RESOURCE_ID = Pattern.compile(
            "(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+");

    public Backend {
        // Paths are appended to it: no trailing slash.
        url = URI.create(url.toString().replaceAll("/+$", ""));
        String backendId = id;
        resourceId.filter(given -> !RESOURCE_ID.matcher(given).matches()).ifPresent(given -> {
            throw new IllegalArgumentException("tollgate.backends." + backendId + ".resource-id: '" + given + "' is not an "
                    + "Azure resource id (/subscriptions/<id>/resourceGroups/<group>/providers/"
                    + "Microsoft.CognitiveServices/accounts/<name>)");
        });
    }

    /** How the given upstream deployment is hosted, which selects its price. */
    public DeploymentType deploymentTypeOf(String upstreamDeployment) {
        return deploymentTypes.getOrDefault(upstreamDeployment, deploymentType);
    }

    @Override
    public String toString() {
        // Never the credential: backends end up in log lines.
        return id + " (" + url + ")";
    }
}
