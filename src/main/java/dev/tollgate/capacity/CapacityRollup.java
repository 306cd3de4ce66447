package dev.tollgate.capacity;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The daily totals of the capacity allocation per reporting time zone ({@code capacity_daily}), what a chargeback
 * report reads instead of the hourly lines: the {@link Allocator} takes the lines it replaces out of them and adds the
 * new ones in its run's transaction. A zone is added, with its totals computed from every line, under the allocator's
 * lock, so no run is half-way meanwhile; a run lists the zones after taking that lock.
 */
@ApplicationScoped
public class CapacityRollup {

    private static final String KEY = "zone, day, app_id, model, deployment, backend_id, owner";

    /**
     * Drops the totals left with no line, of the kept zones and the days between two parameters (dates, inclusive):
     * a group whose lines all went is not reported at zero.
     */
    static final String DROP_EMPTY = "delete from capacity_daily d using capacity_rollup_zone z "
            + "where d.zone = z.zone and d.day >= ? and d.day <= ? and d.lines = 0";

    /**
     * The totals as the chargeback report's rollup rows ({@link AllocatedCost#AS_ROLLUP_ROWS}'s columns, with the
     * zone): no parameters; the report filters zone and days.
     */
    public static final String AS_ROLLUP_ROWS = "select zone, day, case when owner = '' then app_id end as app_id, "
            + "model, deployment, backend_id, true as priced, ''::text as user_id, nullif(owner, '') as owner, "
            + AllocatedCost.NO_USAGE + "cost as provisioned_cost from capacity_daily";

    private final DataSource dataSource;

    public CapacityRollup(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The zones whose totals are kept. */
    public Set<String> zones() throws SQLException {
        Set<String> zones = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select zone from capacity_rollup_zone");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                zones.add(rows.getString(1));
            }
        }
        return zones;
    }

    /** Adds the zone, computing its totals from every allocation line, unless it is kept already; true if added. */
    public boolean add(String zone) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Allocator.lock(connection);
                boolean added;
                try (PreparedStatement insert = connection.prepareStatement(
                        "insert into capacity_rollup_zone (zone) values (?) on conflict do nothing")) {
                    insert.setString(1, zone);
                    added = insert.executeUpdate() == 1;
                }
                if (added) {
                    try (PreparedStatement backfill = connection.prepareStatement("insert into capacity_daily ("
                            + KEY + ", lines, cost) " + aggregate("capacity_allocation", "(select ?::text as zone)", 1))) {
                        backfill.setString(1, zone);
                        backfill.executeUpdate();
                    }
                }
                connection.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Adds ({@code sign} 1) or subtracts (-1) the allocation lines of {@code lines} (a relation with
     * {@code capacity_allocation}'s columns) to the totals of every kept zone; run under the allocator's lock.
     */
    static String upsert(String lines, int sign) {
        return "insert into capacity_daily (" + KEY + ", lines, cost) "
                + aggregate(lines, "capacity_rollup_zone", sign) + " order by 1, 2, 3, 4, 5, 6, 7 "
                + "on conflict (" + KEY + ") do update set lines = capacity_daily.lines + excluded.lines, "
                + "cost = capacity_daily.cost + excluded.cost";
    }

    private static String aggregate(String lines, String zones, int sign) {
        if (sign != 1 && sign != -1) {
            throw new IllegalArgumentException("sign must be 1 or -1");
        }
        String s = sign == 1 ? "" : "-";
        return "select z.zone, (a.hour at time zone z.zone)::date, "
                + "case when a.idle_owner is null then a.app_id else '' end, a.model, "
                + "case when a.idle_owner is null then a.deployment else a.capacity_deployment end, a.backend_id, "
                + "coalesce(a.idle_owner, ''), " + s + "count(*), " + s + "sum(a.cost) "
                + "from " + lines + " a cross join " + zones + " z group by 1, 2, 3, 4, 5, 6, 7";
    }
}
