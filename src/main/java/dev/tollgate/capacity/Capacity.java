package dev.tollgate.capacity;

/** A row of the capacity catalog, with its id. */
public record Capacity(long id, CapacityRow row) {

    /** The deployment it is for. */
    public DeploymentKey key() {
        return new DeploymentKey(row.backendId(), row.deployment());
    }
}
