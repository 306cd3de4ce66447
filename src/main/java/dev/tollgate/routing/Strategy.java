package dev.tollgate.routing;

import java.util.function.Supplier;

/** The balancing strategies a pool can use, one class each. */
public enum Strategy {
    /** Each usable target in turn. */
    ROUND_ROBIN(RoundRobinBalancer::new),
    /** Shares proportional to the targets' weights. */
    WEIGHTED(WeightedBalancer::new),
    /** The lowest priority group with a usable target, weighted within it. */
    PRIORITY(PriorityBalancer::new),
    /** The target reporting the most remaining tokens and requests, then the fastest. */
    LEAST_LOADED(LeastLoadedBalancer::new);

    private final Supplier<Balancer> factory;

    Strategy(Supplier<Balancer> factory) {
        this.factory = factory;
    }

    Balancer newBalancer() {
        return factory.get();
    }
}
