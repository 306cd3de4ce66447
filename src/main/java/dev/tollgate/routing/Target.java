package dev.tollgate.routing;

/**
 * Where one request can go: a backend and the deployment name to ask it for.
 *
 * @param backend              the AOAI instance
 * @param upstreamDeployment   the deployment on that instance
 */
public record Target(Backend backend, String upstreamDeployment) {
}
