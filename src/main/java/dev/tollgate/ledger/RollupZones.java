package dev.tollgate.ledger;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The time zones the daily rollups are kept for ({@code usage_rollup_zone}), the same for every replica. A new zone is
 * added in two steps, so writers wait only for an instant, not for the back-fill:
 * <ol>
 *   <li>Register: under a lock that waits for writers between their insert and their commit and holds back new ones,
 *   list the zone and note the highest record {@code seq}. Every record committed later is added to the zone by its
 *   writer (its {@code seq} is drawn later, so higher); every record up to the noted one is not.</li>
 *   <li>Back-fill: add the records up to the noted {@code seq} (and rows from before V2, which have none), without
 *   blocking anyone, in one transaction that also marks the zone ready. Until then, reports in that zone read the
 *   records themselves. A replica that dies half-way leaves the zone not ready; the next start back-fills it.</li>
 * </ol>
 */
@ApplicationScoped
public class RollupZones {

    private final DataSource dataSource;

    public RollupZones(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The zones whose rollups are complete. */
    public Set<String> ready() throws SQLException {
        Set<String> zones = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select zone from usage_rollup_zone where ready");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                zones.add(rows.getString(1));
            }
        }
        return zones;
    }

    /** Registers and back-fills the zone unless it is ready; true if this call back-filled it. */
    public boolean add(String zone) throws SQLException {
        if (ready().contains(zone)) {
            return false;
        }
        register(zone);
        return backfill(zone);
    }

    private void register(String zone) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                // Writers take ROW EXCLUSIVE on usage_daily in the statement that inserts their records and keep it
                // to their commit: once this lock is granted, no record is between its insert and its commit.
                statement.execute("lock table usage_daily in exclusive mode");
                try (PreparedStatement insert = connection.prepareStatement("insert into usage_rollup_zone "
                        + "(zone, backfill_to_seq) select ?, coalesce(max(seq), 0) from usage_record "
                        + "on conflict do nothing")) {
                    insert.setString(1, zone);
                    insert.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private boolean backfill(String zone) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long upTo;
                // The row lock makes a second replica wait here, then find the zone ready.
                try (PreparedStatement pending = connection.prepareStatement("select backfill_to_seq from "
                        + "usage_rollup_zone where zone = ? and not ready for update")) {
                    pending.setString(1, zone);
                    try (ResultSet row = pending.executeQuery()) {
                        if (!row.next()) {
                            connection.rollback();
                            return false;
                        }
                        upTo = row.getLong(1);
                    }
                }
                try (PreparedStatement backfill = connection.prepareStatement(DailyRollup.upsert(
                        "(select * from usage_record where seq is null or seq <= ?)", "(select ?::text as zone)", 1));
                     PreparedStatement done = connection.prepareStatement(
                             "update usage_rollup_zone set ready = true where zone = ?")) {
                    backfill.setLong(1, upTo);
                    backfill.setString(2, zone);
                    backfill.executeUpdate();
                    done.setString(1, zone);
                    done.executeUpdate();
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
