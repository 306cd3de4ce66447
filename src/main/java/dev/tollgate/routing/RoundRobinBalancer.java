package dev.tollgate.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each target in turn. Lock-free: event-loop threads share it. */
public final class RoundRobinBalancer implements Balancer {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Target choose(List<Target> targets) {
        return targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
    }
}
