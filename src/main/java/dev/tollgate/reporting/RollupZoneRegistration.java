package dev.tollgate.reporting;

import dev.tollgate.ledger.RollupZones;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.ZoneId;

/** At start, adds the zones of {@link ReportingConfig#rollupZones()} that the daily rollups are not yet kept for. */
@ApplicationScoped
public class RollupZoneRegistration {

    private static final Logger LOG = Logger.getLogger(RollupZoneRegistration.class);

    private final RollupZones zones;
    private final ReportingConfig config;

    public RollupZoneRegistration(RollupZones zones, ReportingConfig config) {
        this.zones = zones;
        this.config = config;
    }

    /** At start, once the database is reachable. */
    public void register() {
        for (ZoneId zone : config.rollupZones()) {
            try {
                if (zones.add(zone.getId())) {
                    LOG.infof("Daily rollups back-filled for time zone %s", zone.getId());
                }
            } catch (SQLException e) {
                // Reports in this zone still work, from the records; the next start tries again.
                LOG.warnf("Could not add daily rollups for time zone %s (%s); reports in it read the records", zone,
                        e.getMessage());
            }
        }
    }
}
