package dev.tollgate.capacity;

import dev.tollgate.routing.DeploymentType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of the capacity catalog, before it has an id: a provisioned deployment's PTUs and what they cost, from
 * {@code effectiveFrom} (a whole UTC hour: Azure bills provisioned deployments hourly).
 *
 * @param backendId   the backend (tollgate.backends.*) the deployment is on
 * @param deployment  the upstream deployment name on that backend
 * @param model       the model family it serves (picks the utilisation weights)
 * @param ptu         provisioned throughput units; 0 releases the capacity
 * @param amount      per PTU-hour ({@link Billing#HOURLY}) or the reservation's amount per month or year
 * @param idleOwner   who is charged the idle capacity
 * @param effectiveTo empty: until a later row of the same deployment and billing takes over
 */
public record CapacityRow(String backendId, String deployment, String model, DeploymentType deploymentType, int ptu,
                          Billing billing, String currency, BigDecimal amount, Policy policy, String idleOwner,
                          Instant effectiveFrom, Optional<Instant> effectiveTo, String source) {

    public CapacityRow {
        Objects.requireNonNull(backendId, "backendId");
        Objects.requireNonNull(deployment, "deployment");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deploymentType, "deploymentType");
        Objects.requireNonNull(billing, "billing");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(idleOwner, "idleOwner");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(source, "source");
        backendId = backendId.trim();
        deployment = deployment.trim();
        model = model.trim().toLowerCase(Locale.ROOT);
        idleOwner = idleOwner.trim();
        if (backendId.isEmpty() || deployment.isEmpty() || model.isEmpty() || idleOwner.isEmpty()) {
            throw new IllegalArgumentException("backend, deployment, model and idle owner are required");
        }
        if (!deploymentType.provisioned()) {
            throw new IllegalArgumentException("A capacity row is for a provisioned deployment type "
                    + "(global-provisioned, data-zone-provisioned, regional-provisioned), not " + deploymentType);
        }
        if (ptu < 0) {
            throw new IllegalArgumentException("ptu cannot be negative");
        }
        if (amount.signum() < 0 || amount.stripTrailingZeros().scale() > Billing.SCALE) {
            throw new IllegalArgumentException("amount must be at least 0, with at most " + Billing.SCALE + " decimals");
        }
        BigDecimal stripped = amount.stripTrailingZeros();
        amount = stripped.scale() < 0 ? stripped.setScale(0) : stripped;
        if (!wholeHour(effectiveFrom) || !effectiveTo.map(CapacityRow::wholeHour).orElse(true)) {
            throw new IllegalArgumentException("effective dates must be whole UTC hours (Azure bills PTUs hourly)");
        }
        if (effectiveTo.map(to -> !to.isAfter(effectiveFrom)).orElse(false)) {
            throw new IllegalArgumentException("effective_to must be after effective_from");
        }
    }

    /** Whether the row covers the hour starting at {@code hour}, ignoring rows that supersede it. */
    boolean covers(Instant hour) {
        return !effectiveFrom.isAfter(hour) && effectiveTo.map(hour::isBefore).orElse(true);
    }

    private static boolean wholeHour(Instant instant) {
        return instant.truncatedTo(ChronoUnit.HOURS).equals(instant);
    }
}
