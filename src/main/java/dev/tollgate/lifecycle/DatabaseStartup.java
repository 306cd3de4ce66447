package dev.tollgate.lifecycle;

import dev.tollgate.admission.AdmissionLifecycle;
import dev.tollgate.apps.AppSeeder;
import dev.tollgate.capacity.CapacitySeeder;
import dev.tollgate.metering.Backoff;
import dev.tollgate.metering.DatabaseConfig;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.pricing.PriceSeeder;
import dev.tollgate.reporting.RollupZoneRegistration;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Brings the database into service: migrates it (Flyway; or validates it, see {@link Schema}), seeds the app
 * registry, the price and capacity catalogs and the rollup zones, then starts the usage writer. If PostgreSQL is
 * reachable at start this happens before the gateway takes traffic, and a bad seed file fails the start, as before. If
 * it is not, the gateway starts all the same and serves, its records kept in the journal; this retries in the
 * background (doubling pauses up to half a minute) and writes once the database appears. Readiness says meanwhile
 * that the database is waited for, and stays UP.
 */
@ApplicationScoped
public class DatabaseStartup {

    private static final Logger LOG = Logger.getLogger(DatabaseStartup.class);

    private final Schema schema;
    private final AppSeeder apps;
    private final PriceSeeder prices;
    private final AdmissionLifecycle admission;
    private final CapacitySeeder capacity;
    private final RollupZoneRegistration zones;
    private final UsageRecorder recorder;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    private final ScheduledThreadPoolExecutor retries = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "database-startup");
        thread.setDaemon(true);
        return thread;
    });

    public DatabaseStartup(Flyway flyway, DatabaseConfig database, AppSeeder apps, PriceSeeder prices,
                           AdmissionLifecycle admission, CapacitySeeder capacity, RollupZoneRegistration zones,
                           UsageRecorder recorder) {
        this.schema = new Schema(flyway, database.migrate());
        this.apps = apps;
        this.prices = prices;
        this.admission = admission;
        this.capacity = capacity;
        this.zones = zones;
        this.recorder = recorder;
        retries.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** After the journal has started (its observer comes first), so that its recovered records wait for the writer. */
    void start(@Observes @Priority(2) StartupEvent event) throws SQLException {
        if (!schema.bringUpToDate()) {
            LOG.warn("PostgreSQL is not reachable at start: the gateway serves and journals usage, and migrates and "
                    + "writes it once the database appears (readiness detail: database)");
            retries.schedule(this::retry, backoff.failed(), TimeUnit.MILLISECONDS);
            return;
        }
        bringIntoService();
    }

    private void retry() {
        try {
            if (schema.bringUpToDate()) {
                bringIntoService();
                LOG.info("PostgreSQL is reachable: migrated, seeded, usage writing started");
                return;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "Bringing PostgreSQL into service failed; retrying");
        }
        retries.schedule(this::retry, backoff.failed(), TimeUnit.MILLISECONDS);
    }

    private void bringIntoService() throws SQLException {
        zones.register();
        prices.seedConfigured();
        capacity.seedConfigured();
        apps.seedConfigured();
        admission.seedRules();
        recorder.start();
    }

    void stop(@Observes ShutdownEvent event) {
        retries.shutdownNow();
    }
}
