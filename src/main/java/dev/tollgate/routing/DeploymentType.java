package dev.tollgate.routing;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an AOAI deployment is hosted, which sets its price: Global (any Azure region), Data Zone (a geography such as
 * the EU or US) or Regional (Standard, one region). The response body cannot tell; each backend's configuration says.
 */
public enum DeploymentType {
    GLOBAL("global"),
    DATA_ZONE("data-zone"),
    REGIONAL("regional");

    private final String key;

    DeploymentType(String key) {
        this.key = key;
    }

    /** As stored and configured: {@code global}, {@code data-zone}, {@code regional}. */
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
