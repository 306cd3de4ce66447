package dev.tollgate.local;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Stops the embedded PostgreSQL, if this process started one, after everything else has shut down. */
@ApplicationScoped
public class LocalStackLifecycle {

    void stop(@Observes @Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        EmbeddedDatabase.current().ifPresent(EmbeddedDatabase::stop);
    }
}
