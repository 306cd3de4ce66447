package dev.tollgate.capacity;

import dev.tollgate.pricing.PriceFile;
import dev.tollgate.routing.DeploymentType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * A capacity row in the admin API. In requests {@code id} and {@code source} are ignored, {@code idleOwner} defaults
 * to {@code tollgate.capacity.idle-owner}; dates are ISO days (UTC midnight) or instants on a whole hour.
 */
public record CapacityJson(Long id, String backend, String deployment, String model, String deploymentType,
                           Integer ptu, String billing, String currency, BigDecimal amount, String policy,
                           String idleOwner, String effectiveFrom, String effectiveTo, String source) {

    static CapacityJson of(Capacity capacity) {
        CapacityRow row = capacity.row();
        return new CapacityJson(capacity.id(), row.backendId(), row.deployment(), row.model(),
                row.deploymentType().key(), row.ptu(), row.billing().key(), row.currency(), row.amount(),
                row.policy().key(), row.idleOwner(), row.effectiveFrom().toString(),
                row.effectiveTo().map(Instant::toString).orElse(null), row.source());
    }

    /** The row this describes; IllegalArgumentException (or a DateTimeException) naming what is wrong. */
    CapacityRow toRow(String defaultIdleOwner) {
        if (backend == null || deployment == null || model == null || deploymentType == null || ptu == null
                || billing == null || currency == null || amount == null || policy == null || effectiveFrom == null) {
            throw new IllegalArgumentException("backend, deployment, model, deploymentType, ptu, billing, currency, "
                    + "amount, policy and effectiveFrom are required");
        }
        return new CapacityRow(backend, deployment, model, DeploymentType.parse(deploymentType), ptu,
                Billing.parse(billing), currency, amount, Policy.parse(policy),
                idleOwner == null || idleOwner.isBlank() ? defaultIdleOwner : idleOwner,
                PriceFile.instant(effectiveFrom),
                Optional.ofNullable(effectiveTo).filter(t -> !t.isBlank()).map(PriceFile::instant), "admin");
    }
}
