package dev.tollgate.apps;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** The app registry's seed file, applied once at start-up (docs/configuration.md#app-registry). */
@ConfigMapping(prefix = "tollgate.apps")
public interface AppsConfig {

    /**
     * A CSV file of apps to register at start-up: a path, or {@code classpath:<resource>}. Configured but absent or
     * invalid, start-up fails. Format: header {@code appId,displayName,businessUnit,costCenter,ownerContact,tags},
     * tags as {@code key=value;key=value} (see {@link AppSeedParser}).
     */
    Optional<String> seedFile();

    /** What the seed file does to apps that are registered already. */
    @WithDefault("insert-missing")
    SeedMode seedMode();

    enum SeedMode {
        /** Only apps not registered yet are added: changes made through the admin API survive restarts. */
        INSERT_MISSING,
        /** The file wins: registered apps get the file's values (apps not in the file are left alone). */
        UPSERT
    }
}
