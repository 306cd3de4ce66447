package dev.tollgate.apps;

import java.time.Instant;
import java.util.Map;

/** A registered app as the admin API shows it: the app and when it was registered and last changed. */
public record StoredApp(String appId, String displayName, String businessUnit, String costCenter,
                        String ownerContact, Map<String, String> tags, Instant createdAt, Instant updatedAt) {

    static StoredApp of(RegisteredApp app, Instant createdAt, Instant updatedAt) {
        return new StoredApp(app.appId(), app.displayName(), app.businessUnit(), app.costCenter(), app.ownerContact(),
                app.tags(), createdAt, updatedAt);
    }

    public RegisteredApp app() {
        return new RegisteredApp(appId, displayName, businessUnit, costCenter, ownerContact, tags);
    }
}
