package dev.tollgate.admission.engine;

import java.util.Map;

/**
 * The app registry as admission needs it on the event loop: app id → business unit and cost center, in memory,
 * replaced whole by the exchange when the {@code app} table changed.
 */
public final class AppOwners {

    /** What a registered app is charged to. */
    public record Charged(String businessUnit, String costCenter) {
    }

    private volatile Map<String, Charged> apps = Map.of();

    /** The app's business unit and cost center, or null if it is not registered. */
    public Charged find(String appId) {
        return appId == null ? null : apps.get(appId);
    }

    public void replace(Map<String, Charged> registered) {
        apps = Map.copyOf(registered);
    }
}
