package dev.tollgate.apps.graph;

import dev.tollgate.background.DaemonScheduler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.apps.AppDirectory;
import dev.tollgate.routing.credentials.TokenCredentials;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When {@code tollgate.apps.graph.enabled}, looks up in Microsoft Graph the app ids that have usage but no registered
 * name, at start and then every refresh interval, on a thread of its own: never on the request path, and a Graph
 * outage only delays names. Each replica refreshes; the look-ups are idempotent upserts.
 */
@ApplicationScoped
public class AppNameRefresher {

    private static final Logger LOG = Logger.getLogger(AppNameRefresher.class);

    private final GraphConfig config;
    private final AppDirectory directory;
    private final ObjectMapper mapper;
    private ScheduledExecutorService scheduler;

    public AppNameRefresher(GraphConfig config, AppDirectory directory, ObjectMapper mapper) {
        this.config = config;
        this.directory = directory;
        this.mapper = mapper;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        GraphServicePrincipals graph = new GraphServicePrincipals(config.endpoint(),
                TokenCredentials.of("tollgate.apps.graph.credential", config.credential(), null), null, mapper);
        scheduler = DaemonScheduler.named("tollgate-graph-names");
        long every = config.refreshInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> refresh(directory, graph, config.refreshInterval()), 0, every,
                TimeUnit.MILLISECONDS);
        LOG.infof("Looking up names of unregistered apps in Microsoft Graph (%s) every %s", config.endpoint(),
                config.refreshInterval());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    /**
     * One round: every app id due is looked up and the outcome kept. An app Graph fails on is left for the next round;
     * the others go on. Returns how many were looked up.
     */
    public static int refresh(AppDirectory directory, GraphServicePrincipals graph, Duration interval) {
        List<String> due;
        try {
            due = directory.unnamed(interval);
        } catch (SQLException e) {
            LOG.warnf("Could not list the apps to look up in Microsoft Graph: %s", e.getMessage());
            return 0;
        }
        int done = 0;
        for (String appId : due) {
            try {
                directory.remember(appId, graph.byAppId(appId));
                done++;
            } catch (GraphException | SQLException e) {
                LOG.warnf("App %s keeps its app id as its name for now: %s", appId, e.getMessage());
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: log it and stay scheduled.
                LOG.errorf(e, "Looking up app %s in Microsoft Graph failed", appId);
            }
        }
        return done;
    }
}
