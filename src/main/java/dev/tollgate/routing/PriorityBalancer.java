package dev.tollgate.routing;

import java.util.List;

/**
 * Priority groups: only targets of the lowest priority number among the candidates get traffic, balanced by weight;
 * the next group gets traffic only while every target of the preferred one is parked (throttled or broken). Typical
 * use: provisioned throughput first, pay-as-you-go after; or a model first, a larger one as fallback.
 */
public final class PriorityBalancer implements Balancer {

    private final WeightedBalancer withinGroup = new WeightedBalancer();

    @Override
    public Target choose(List<Target> candidates) {
        int best = Integer.MAX_VALUE;
        for (Target target : candidates) {
            best = Math.min(best, target.priority());
        }
        int group = best;
        return withinGroup.choose(candidates.stream().filter(target -> target.priority() == group).toList());
    }
}
