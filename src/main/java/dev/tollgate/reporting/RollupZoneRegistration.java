package dev.tollgate.reporting;

import dev.tollgate.capacity.CapacityRollup;
import dev.tollgate.ledger.RollupZones;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.ZoneId;

/**
 * At start, adds the zones of {@link ReportingConfig#rollupZones()} that the daily rollups of usage, and the daily
 * totals of the capacity allocation, are not yet kept for.
 */
@ApplicationScoped
public class RollupZoneRegistration {

    private static final Logger LOG = Logger.getLogger(RollupZoneRegistration.class);

    private final RollupZones zones;
    private final CapacityRollup capacity;
    private final ReportingConfig config;

    public RollupZoneRegistration(RollupZones zones, CapacityRollup capacity, ReportingConfig config) {
        this.zones = zones;
        this.capacity = capacity;
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
            try {
                if (capacity.add(zone.getId())) {
                    LOG.infof("Daily capacity allocation totals computed for time zone %s", zone.getId());
                }
            } catch (SQLException e) {
                // Reports in this zone still work, from the hourly allocation lines; the next start tries again.
                LOG.warnf("Could not add daily capacity totals for time zone %s (%s); reports in it read the hourly "
                        + "allocation", zone, e.getMessage());
            }
        }
    }
}
