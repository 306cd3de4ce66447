package dev.tollgate.routing;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an AOAI deployment is hosted, which sets its price: Global (any Azure region), Data Zone (a geography such as
 * the EU or US) or Regional (Standard, one region), each pay-as-you-go (a price per token) or provisioned (reserved
 * PTUs, whose cost is allocated to the apps that used them, docs/chargeback.md). The response body cannot tell; each
 * backend's configuration says.
 */
public enum DeploymentType {
    GLOBAL("global", false),
    DATA_ZONE("data-zone", false),
    REGIONAL("regional", false),
    GLOBAL_PROVISIONED("global-provisioned", true),
    DATA_ZONE_PROVISIONED("data-zone-provisioned", true),
    REGIONAL_PROVISIONED("regional-provisioned", true);

    private final String key;
    private final boolean provisioned;

    DeploymentType(String key, boolean provisioned) {
        this.key = key;
        this.provisioned = provisioned;
    }

    /** Reserved capacity (PTU): its tokens carry no per-token price, its hours are allocated. */
    public boolean provisioned() {
        return provisioned;
    }

    /** As stored and configured: {@code global}, {@code data-zone}, {@code regional}, {@code global-provisioned}… */
    public String key() {
        return key;
    }

    public static DeploymentType parse(String value) {
        String normalised = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DeploymentType type : values()) {
            if (type.key.equals(normalised)) {
                return type;
            }
        }
        throw new IllegalArgumentException("Unknown deployment type '" + value + "'; expected one of "
                + Arrays.stream(values()).map(DeploymentType::key).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return key;
    }
}
