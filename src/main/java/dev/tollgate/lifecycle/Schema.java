package dev.tollgate.lifecycle;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import java.sql.SQLException;

/**
 * The schema the gateway needs, brought up to date by Flyway's migrations, or, where a separate step migrates
 * ({@code tollgate.db.migrate=false}), validated against them: a database migrated to another version fails the
 * start with Flyway's account of what differs.
 */
final class Schema {

    private static final Logger LOG = Logger.getLogger(Schema.class);

    private final Flyway flyway;
    private final boolean migrate;

    Schema(Flyway flyway, boolean migrate) {
        this.flyway = flyway;
        this.migrate = migrate;
    }

    /**
     * Migrates or validates the schema; false if the database could not be reached (try again later).
     *
     * @throws RuntimeException Flyway's, when a migration fails or the schema is not the expected one
     */
    boolean bringUpToDate() {
        try {
            if (migrate) {
                flyway.migrate();
            } else {
                flyway.validate();
            }
            return true;
        } catch (RuntimeException e) {
            if (unreachable(e)) {
                LOG.debugf("PostgreSQL not reachable yet: %s", e.getMessage());
                return false;
            }
            throw e;
        }
    }

    /** The failure is a connection that could not be made (SQLSTATE class 08), not a migration that went wrong. */
    private static boolean unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
