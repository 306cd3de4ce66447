package dev.tollgate.routing;

import java.util.List;

/**
 * Chooses among the targets of one pool that may take a request now. One instance per pool, so it may keep state;
 * event-loop threads share it.
 */
public interface Balancer {

    /** Picks one of the candidates; the list is never empty and keeps the pool's target order. */
    Target choose(List<Target> candidates);
}
