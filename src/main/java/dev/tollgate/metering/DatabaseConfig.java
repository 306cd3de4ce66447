package dev.tollgate.metering;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;

/**
 * The PostgreSQL that holds usage, prices and the app registry. Nothing injects it: it is kept (unremovable) because
 * Quarkus validates every registered mapping before anything starts, so a start without a database URL stops right
 * there with one line naming {@code TOLLGATE_DB_URL} ({@code tollgate.db.url=${TOLLGATE_DB_URL}}), instead of failing
 * inside Hibernate's start-up on an inactive datasource. The datasource reads the same value
 * ({@code quarkus.datasource.jdbc.url=${tollgate.db.url}}).
 */
@Unremovable
@ConfigMapping(prefix = "tollgate.db")
public interface DatabaseConfig {

    /** JDBC URL of the database; required. The default build's local stack supplies an embedded one (src/dev). */
    String url();
}
