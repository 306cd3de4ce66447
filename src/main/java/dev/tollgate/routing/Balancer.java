package dev.tollgate.routing;

import java.util.List;

/** Chooses the target for the next request of one pool. One instance per pool, so it may keep state. */
public interface Balancer {

    /** Picks one of the targets; the list is never empty and does not change for the life of the balancer. */
    Target choose(List<Target> targets);
}
