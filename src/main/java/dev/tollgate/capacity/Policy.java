package dev.tollgate.capacity;

import java.util.Locale;

/** Who pays a provisioned deployment's hour. Hours with no traffic are idle under both, charged to the idle owner. */
public enum Policy {
    /** The apps of the hour pay all of it, idle capacity included, in proportion to their weighted tokens. */
    FULL("full"),
    /**
     * The apps pay what they used at the full-utilisation rate (the hour's cost × their weighted tokens / the hour's
     * capacity); the rest is the idle line, charged to the row's idle owner.
     */
    UTILIZATION("utilization");

    private final String key;

    Policy(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Policy parse(String value) {
        String normalised = value.trim().toLowerCase(Locale.ROOT).replace("utilisation", "utilization");
        for (Policy policy : values()) {
            if (policy.key.equals(normalised)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("Unknown policy '" + value + "'; expected full or utilization");
    }
}
