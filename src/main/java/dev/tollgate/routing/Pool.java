package dev.tollgate.routing;

import java.util.List;

/**
 * The targets that answer one deployment name callers use, and how to choose among them.
 *
 * @param deployment the name callers send (path segment or body {@code model})
 * @param targets    where it can be served, never empty
 * @param strategy   how the balancer chooses
 * @param balancer   the choice among the targets usable at the moment
 */
public record Pool(String deployment, List<Target> targets, Strategy strategy, Balancer balancer) {

    public Pool {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("Pool " + deployment + " has no targets");
        }
        targets = List.copyOf(targets);
    }

    public Pool(String deployment, List<Target> targets, Strategy strategy) {
        this(deployment, targets, strategy, strategy.newBalancer());
    }
}
