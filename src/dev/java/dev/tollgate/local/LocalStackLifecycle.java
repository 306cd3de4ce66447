package dev.tollgate.local;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Says loudly when a production run uses the embedded PostgreSQL (no TOLLGATE_DB_URL), and stops that database, if
 * this process started one, after everything else has shut down.
 */
@ApplicationScoped
public class LocalStackLifecycle {

    private static final Logger LOG = Logger.getLogger(LocalStackLifecycle.class);

    void warn(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.NORMAL && EmbeddedDatabase.current().isPresent()) {
            LOG.warn("No database is configured (TOLLGATE_DB_URL): usage is kept in the embedded PostgreSQL under "
                    + "the working directory. Fine for a trial, not for production: set TOLLGATE_DB_URL.");
        }
    }

    void stop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        EmbeddedDatabase.current().ifPresent(EmbeddedDatabase::stop);
    }
}
