package dev.tollgate.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin (nginx's): each pick adds every candidate's weight to its running score, takes the
 * highest, and subtracts the candidates' total from the winner. Over any window the shares match the weights, and
 * picks of one target are spread out rather than bunched. Targets that are not candidates (parked) are skipped
 * without losing their place.
 */
public final class WeightedBalancer implements Balancer {

    private final Map<Target, Long> scores = new HashMap<>();

    @Override
    public synchronized Target choose(List<Target> candidates) {
        long total = 0;
        Target best = null;
        long bestScore = Long.MIN_VALUE;
        for (Target target : candidates) {
            long score = scores.merge(target, (long) target.weight(), Long::sum);
            total += target.weight();
            if (score > bestScore) {
                best = target;
                bestScore = score;
            }
        }
        scores.merge(best, -total, Long::sum);
        return best;
    }
}
