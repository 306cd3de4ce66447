package dev.tollgate.export;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts the usage export to Event Hubs when it is configured ({@link EventHubsExportConfig}), and stops it at
 * shutdown. It only reads the configuration and wires the plain classes together; the request path never sees it.
 */
@ApplicationScoped
public class UsageExport {

    private static final Logger LOG = Logger.getLogger(UsageExport.class);
    /** The exporter's row in usage_export_position. */
    static final String POSITION = "event-hubs";

    private final EventHubsExportConfig config;
    private final DataSource dataSource;
    private final MeterRegistry registry;
    private UsageEventSender sender;
    private UsageExporter exporter;
    private ExportLoop loop;

    public UsageExport(EventHubsExportConfig config, DataSource dataSource, MeterRegistry registry) {
        this.config = config;
        this.dataSource = dataSource;
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        Optional<EventHubsTarget> target = EventHubsTarget.of(config);
        if (target.isEmpty()) {
            LOG.info("Usage export to Event Hubs is off (set tollgate.export.event-hubs.connection-string or "
                    + ".fully-qualified-namespace to turn it on)");
            return;
        }
        sender = EventHubsSender.connect(target.get(), config.sendTimeout());
        Duration lease = longest(config.maxBackoff(), config.sendTimeout().multipliedBy(4)).plusSeconds(30);
        exporter = new UsageExporter(dataSource, sender, POSITION, owner(), lease, config.batchSize(),
                new ExportMetrics(registry), Clock.systemUTC());
        loop = new ExportLoop(exporter, config.pollInterval(), config.maxBackoff());
        loop.start();
        LOG.infof("Exporting usage records to Event Hubs: %s, up to %d records a round", target.get(),
                config.batchSize());
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        loop.stop(Duration.ofSeconds(10));
        try {
            exporter.releaseLease();
        } catch (Exception e) {
            LOG.debugf("Could not give the export lease up (another replica takes over when it lapses): %s", e);
        }
        sender.close();
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * The host name: the pod's name in Kubernetes, so a restarted container takes its own lease back at once. Two
     * processes on one host share it, and may both export: that only makes repeats (see docs/events.md).
     */
    private static String owner() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host-" + UUID.randomUUID();
        }
    }
}
