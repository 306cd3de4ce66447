package dev.tollgate.routing;

import dev.tollgate.routing.DeploymentType;

/**
 * Where one request can go: a backend, the deployment to ask it for (which may name another, larger model: a
 * fallback), the priority group and the weight within it, and the target's live state.
 */
public final class Target {

    private final Backend backend;
    private final String upstreamDeployment;
    private final int priority;
    private final int weight;
    private final TargetState state;

    public Target(Backend backend, String upstreamDeployment, int priority, int weight) {
        this(backend, upstreamDeployment, priority, weight, new TargetState());
    }

    /** With the live state of the same target before a reload. */
    Target(Backend backend, String upstreamDeployment, int priority, int weight, TargetState state) {
        if (weight < 1) {
            throw new IllegalArgumentException("Weight of " + backend.id() + "/" + upstreamDeployment + " must be at least 1");
        }
        this.backend = backend;
        this.upstreamDeployment = upstreamDeployment;
        this.priority = priority;
        this.weight = weight;
        this.state = state;
    }

    public Backend backend() {
        return backend;
    }

    public String upstreamDeployment() {
        return upstreamDeployment;
    }

    /** How this target's deployment is hosted, which selects its price. */
    public DeploymentType deploymentType() {
        return backend.deploymentTypeOf(upstreamDeployment);
    }

    /** Lower is preferred: the priority strategy spills to the next group only when this one has no usable target. */
    public int priority() {
        return priority;
    }

    public int weight() {
        return weight;
    }

    public TargetState state() {
        return state;
    }

    @Override
    public String toString() {
        return backend.id() + "/" + upstreamDeployment;
    }
}
