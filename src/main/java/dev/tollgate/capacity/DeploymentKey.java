package dev.tollgate.capacity;

/** A provisioned deployment: the backend and the upstream deployment name on it. */
public record DeploymentKey(String backendId, String deployment) {
}
