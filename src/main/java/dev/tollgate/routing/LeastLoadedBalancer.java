package dev.tollgate.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The target with the most capacity left, as the backends themselves report it: most
 * {@code x-ratelimit-remaining-tokens}, then most {@code -requests}, then the lowest recent time to first byte.
 * A target that has not reported in the last minute counts as having all its capacity (its window has reset), so it
 * is tried and reports. Ties go round-robin.
 */
public final class LeastLoadedBalancer implements Balancer {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Target choose(List<Target> candidates) {
        long now = System.nanoTime();
        int size = candidates.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        Target best = null;
        for (int i = 0; i < size; i++) {
            Target target = candidates.get((start + i) % size);
            if (best == null || lessLoaded(target, best, now)) {
                best = target;
            }
        }
        return best;
    }

    private static boolean lessLoaded(Target a, Target b, long now) {
        int tokens = Long.compare(capacity(a.state().remainingTokens(now)), capacity(b.state().remainingTokens(now)));
        if (tokens != 0) {
            return tokens > 0;
        }
        int requests = Long.compare(capacity(a.state().remainingRequests(now)), capacity(b.state().remainingRequests(now)));
        if (requests != 0) {
            return requests > 0;
        }
        return a.state().latencyNanos() < b.state().latencyNanos();
    }

    private static long capacity(long remaining) {
        return remaining < 0 ? Long.MAX_VALUE : remaining;
    }
}
