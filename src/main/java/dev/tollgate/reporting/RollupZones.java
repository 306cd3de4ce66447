package dev.tollgate.reporting;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps {@code usage_rollup_zone} up to date with {@link ReportingConfig#rollupZones()}: a configured zone that has
 * no rollups yet gets them back-filled from every record, and from then on writers maintain it. The back-fill holds a
 * lock that makes writers wait (their records queue in memory, then spool) so that no record is counted twice or
 * missed; it runs once per zone, ever.
 */
@ApplicationScoped
public class RollupZones {

    private static final Logger LOG = Logger.getLogger(RollupZones.class);

    private final DataSource dataSource;
    private final ReportingConfig config;

    public RollupZones(DataSource dataSource, ReportingConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        for (ZoneId zone : config.rollupZones()) {
            try {
                if (add(zone.getId())) {
                    LOG.infof("Daily rollups back-filled for time zone %s", zone.getId());
                }
            } catch (SQLException e) {
                // Reports in this zone still work, from the records; the next start tries again.
                LOG.warnf("Could not add daily rollups for time zone %s (%s); reports in it read the records", zone,
                        e.getMessage());
            }
        }
    }

    /** The zones that have rollups. */
    public Set<String> registered() throws SQLException {
        Set<String> zones = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select zone from usage_rollup_zone");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                zones.add(rows.getString(1));
            }
        }
        return zones;
    }

    /** Registers and back-fills the zone unless it has rollups; true if it was added now. */
    public boolean add(String zone) throws SQLException {
        if (registered().contains(zone)) {
            return false;
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                // Writers insert records and rollups in one statement, holding ROW EXCLUSIVE on both tables; this
                // waits for those in flight and holds back new ones until the back-fill is committed.
                statement.execute("lock table usage_record in share mode");
                statement.execute("lock table usage_daily in exclusive mode");
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into usage_rollup_zone (zone) values (?) on conflict do nothing")) {
                    insert.setString(1, zone);
                    if (insert.executeUpdate() == 0) {
                        connection.rollback();
                        return false;
                    }
                }
                try (PreparedStatement backfill = connection.prepareStatement(
                        DailyRollup.insert("usage_record", "(select ?::text as zone)"))) {
                    backfill.setString(1, zone);
                    backfill.executeUpdate();
                }
                connection.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
