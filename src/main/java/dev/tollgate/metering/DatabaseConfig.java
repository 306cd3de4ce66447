package dev.tollgate.metering;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The PostgreSQL that holds usage, prices and the app registry. Kept even where nothing reads {@link #url()}
 * (unremovable) because Quarkus validates every registered mapping before anything starts, so a start without a
 * database URL stops right there with one line naming {@code TOLLGATE_DB_URL}
 * ({@code tollgate.db.url=${TOLLGATE_DB_URL}}), instead of failing inside Hibernate's start-up on an inactive
 * datasource. The datasource reads the same value ({@code quarkus.datasource.jdbc.url=${tollgate.db.url}}).
 */
@Unremovable
@ConfigMapping(prefix = "tollgate.db")
public interface DatabaseConfig {

    /** JDBC URL of the database; required. The default build's local stack supplies an embedded one (src/dev). */
    String url();

    /**
     * Whether the gateway applies pending migrations when it brings the database into service (the default). False
     * where a separate step migrates, with a more privileged user than the gateway's: the gateway then only validates
     * that the schema is the one its migrations make, and does not start on any other.
     */
    @WithDefault("true")
    boolean migrate();
}
