package dev.tollgate.admission;

import dev.tollgate.background.DaemonScheduler;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.admission.alerts.AlertWebhook;
import dev.tollgate.admission.alerts.ThresholdAlerts;
import dev.tollgate.admission.exchange.CounterExchange;
import dev.tollgate.admission.rules.RuleSeeder;
import dev.tollgate.admission.rules.RuleStore;
import dev.tollgate.pricing.PriceCatalogCache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts admission: runs a first exchange before the gateway takes traffic (the rules are in force from the first
 * request), then one every {@code tollgate.admission.exchange-interval} on a thread of its own. A failing round is
 * logged once per outage; admission carries on from its last view. If PostgreSQL is unreachable at start, the gateway
 * starts all the same (issue 11) and admission knows no rules until the first round that reaches it. The seed file's
 * rules are stored by {@code lifecycle.DatabaseStartup} once the schema is migrated ({@link #seedRules}). On shutdown
 * a last round pushes this replica's final counts.
 */
@ApplicationScoped
public class AdmissionLifecycle {

    private static final Logger LOG = Logger.getLogger(AdmissionLifecycle.class);

    private final AdmissionConfig config;
    private final CounterExchange exchange;
    private final RuleSeeder seeder;
    private final Admission admission;
    private ScheduledExecutorService executor;
    private boolean failing;

    public AdmissionLifecycle(AdmissionConfig config, Admission admission, DataSource dataSource, RuleStore rules,
                              PriceCatalogCache prices, ObjectMapper mapper) {
        this.config = config;
        this.admission = admission;
        AlertWebhook webhook = config.alerts().webhookUrl().map(url -> new AlertWebhook(url,
                config.alerts().webhookSecret().orElse(null), config.alerts().webhookAttempts(),
                config.alerts().webhookBackoff(), config.alerts().webhookTimeout())).orElse(null);
        this.exchange = new CounterExchange(dataSource, admission.engine(), rules, prices,
                new ThresholdAlerts(admission.metrics(), java.util.Optional.ofNullable(webhook), config.timeZone()),
                config.replicaId().orElseGet(() -> UUID.randomUUID().toString()), config.inflightExpiry());
        this.seeder = new RuleSeeder(rules, mapper);
    }

    /** Stores the seed file's rules (tollgate.admission.seed-file), once the schema exists. */
    public void seedRules() throws SQLException {
        seeder.seed(config);
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        round();
        LOG.infof("Admission on: replica %s exchanges counts every %d ms", exchange.replica(),
                config.exchangeInterval().toMillis());
        executor = DaemonScheduler.named("admission-exchange");
        long interval = config.exchangeInterval().toMillis();
        executor.scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
                exchange.exchange();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            LOG.warnf("Admission counts could not be pushed at shutdown: %s", e.getMessage());
        }
    }

    private void round() {
        try {
            exchange.exchange();
            if (failing) {
                LOG.info("Admission exchange works again: limits are cluster-wide again");
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            admission.metrics().exchangeFailed();
            if (!failing) {
                LOG.warnf("Admission exchange failed (%s); enforcing from the last view of the other replicas plus "
                        + "this replica's own counts until it works again", e.getMessage());
                failing = true;
            }
        }
    }
}
