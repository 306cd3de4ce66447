package dev.tollgate.capacity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An immutable snapshot of the capacity table and the rule that picks the rows in force: per deployment and billing,
 * the row with the latest {@code effective_from} not after the hour (a later id wins a tie: a correction), unless its
 * {@code effective_to} has passed or it has no PTUs.
 */
public final class CapacityCatalog {

    private static final Comparator<Capacity> LATEST = Comparator
            .comparing((Capacity c) -> c.row().effectiveFrom()).thenComparingLong(Capacity::id);

    private final List<Capacity> rows;
    private final Map<DeploymentKey, List<Capacity>> byDeployment;

    public CapacityCatalog(List<Capacity> rows) {
        this.rows = List.copyOf(rows);
        this.byDeployment = rows.stream().collect(Collectors.groupingBy(Capacity::key));
    }

    public List<Capacity> rows() {
        return rows;
    }

    /** The deployments with capacity rows. */
    public List<DeploymentKey> deployments() {
        return byDeployment.keySet().stream()
                .sorted(Comparator.comparing(DeploymentKey::backendId).thenComparing(DeploymentKey::deployment))
                .toList();
    }

    /** The rows in force for the hour starting at {@code hour}, one per billing at most. */
    public List<Capacity> inForce(DeploymentKey deployment, Instant hour) {
        List<Capacity> inForce = new ArrayList<>();
        for (Billing billing : Billing.values()) {
            Optional<Capacity> latest = byDeployment.getOrDefault(deployment, List.of()).stream()
                    .filter(c -> c.row().billing() == billing && !c.row().effectiveFrom().isAfter(hour))
                    .max(LATEST);
            latest.filter(c -> c.row().covers(hour) && c.row().ptu() > 0).ifPresent(inForce::add);
        }
        return inForce;
    }
}
