package dev.tollgate.capacity;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import javax.sql.DataSource;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Allocates the cost of provisioned capacity, per deployment and UTC hour, to the apps that used it, in proportion to
 * their weighted tokens ({@link Weights}), under the row's {@link Policy}; the lines of an hour sum exactly to its cost
 * ({@link Shares}). A run replaces every allocation of its hours in one transaction, from the records and the
 * capacity rows as they are, so it can be repeated at will: the same inputs give the same figures, and a late record
 * or a capacity correction is taken in by allocating its hours again. Each run is logged in
 * {@code capacity_allocation_run} with the hours it changed and the cost before and after, as a reprice says what it
 * changed. Runs hold the {@code capacity_allocator_state} row, so replicas never run at once.
 */
@ApplicationScoped
public class Allocator {

    private static final Logger LOG = Logger.getLogger(Allocator.class);
    private static final String PROVISIONED = "deployment_type like '%-provisioned'";
    /** The hour's provisioned usage, per target deployment, app, deployment asked for and served model. */
    private static final String USAGE = "select backend_id, coalesce(upstream_deployment, deployment), "
            + "date_trunc('hour', occurred_at, 'UTC'), app_id, deployment, coalesce(model, ''), count(*), "
            + "sum(input_tokens), sum(cached_input_tokens), sum(output_tokens) from usage_record "
            + "where occurred_at >= ? and occurred_at < ? and " + PROVISIONED + " and backend_id is not null "
            + "group by 1, 2, 3, 4, 5, 6";
    private static final String SPILLED = "select spilled_from_backend, spilled_from_deployment, "
            + "date_trunc('hour', occurred_at, 'UTC'), count(*), sum(total_tokens) from usage_record "
            + "where occurred_at >= ? and occurred_at < ? and spilled_from_backend is not null group by 1, 2, 3";
    private static final String HOURS_BEFORE = "select backend_id, deployment, hour, ptu, capacity_tokens, "
            + "weighted_tokens, requests, cost, allocated_cost, idle_cost, spilled_requests, spilled_tokens "
            + "from capacity_hour where hour >= ? and hour < ?";

    private final DataSource dataSource;
    private final CapacityConfig config;

    public Allocator(DataSource dataSource, CapacityConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    /**
     * What a run did (or would do, for a dry run).
     *
     * @param hours        deployment-hours allocated
     * @param changedHours deployment-hours whose figures differ from what was stored
     * @param costBefore   the capacity cost of the period as stored before
     * @param costAfter    and as allocated now
     */
    public record Result(Instant from, Instant to, String reason, boolean dryRun, long hours, long changedHours,
                         BigDecimal costBefore, BigDecimal costAfter) {
    }

    /** Allocates the whole UTC hours of [from, to) in a transaction of its own, rolled back for a dry run. */
    public Result allocate(Instant from, Instant to, String reason, boolean dryRun) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                lock(connection);
                Result result = allocate(connection, from, to, reason, dryRun);
                if (dryRun) {
                    connection.rollback();
                } else {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Waits for any other run (on any replica) to finish; held to the caller's commit. */
    static void lock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "select 1 from capacity_allocator_state for update")) {
            lock.executeQuery().close();
        }
    }

    /** Allocates the hours of [from, to) on the caller's transaction, which holds the lock. */
    Result allocate(Connection connection, Instant from, Instant to, String reason, boolean dryRun) throws SQLException {
        Instant start = from.truncatedTo(ChronoUnit.HOURS);
        Instant end = to.truncatedTo(ChronoUnit.HOURS).equals(to) ? to : to.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        CapacityCatalog catalog = CapacityStore.catalog(connection);
        Map<HourKey, List<UsageLine>> usage = usage(connection, start, end);
        Map<HourKey, long[]> spilled = spilled(connection, start, end);
        Map<HourKey, String> before = new HashMap<>();
        BigDecimal costBefore = hoursBefore(connection, start, end, before);

        StringBuilder allocations = new StringBuilder();
        StringBuilder hours = new StringBuilder();
        long hourCount = 0;
        long changed = 0;
        BigDecimal costAfter = BigDecimal.ZERO;
        for (DeploymentKey deployment : catalog.deployments()) {
            for (Instant hour = start; hour.isBefore(end); hour = hour.plus(1, ChronoUnit.HOURS)) {
                HourKey key = new HourKey(deployment, hour);
                List<Capacity> rows = catalog.inForce(deployment, hour);
                List<UsageLine> lines = usage.getOrDefault(key, List.of());
                long[] spill = spilled.getOrDefault(key, new long[2]);
                if (rows.isEmpty() && lines.isEmpty() && spill[0] == 0) {
                    continue;
                }
                HourFigures figures = allocateHour(key, rows, lines, spill, allocations);
                hours.append(figures.csv());
                hourCount++;
                costAfter = costAfter.add(figures.cost());
                if (!figures.signature().equals(before.remove(key))) {
                    changed++;
                }
            }
        }
        changed += before.size(); // hours that had figures and have none now
        replace(connection, start, end, allocations.toString(), hours.toString());
        Result result = new Result(start, end, reason, dryRun, hourCount, changed, costBefore, costAfter);
        logRun(connection, result);
        LOG.infof("Capacity allocation %s%s", dryRun ? "(dry run) " : "", result);
        return result;
    }

    private HourFigures allocateHour(HourKey key, List<Capacity> rows, List<UsageLine> lines, long[] spill,
                                     StringBuilder allocations) {
        Weights weights = Weights.of(config, rows.isEmpty() ? "" : rows.get(0).row().model());
        List<BigDecimal> weighted = lines.stream().map(line -> line.weigh(weights)).toList();
        BigDecimal used = weighted.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        long requests = lines.stream().mapToLong(UsageLine::requests).sum();
        int ptu = rows.stream().mapToInt(c -> c.row().ptu()).sum();
        Optional<BigDecimal> capacity = weights.hourlyCapacity(ptu).filter(c -> c.signum() > 0);
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal allocated = BigDecimal.ZERO;
        for (Capacity row : rows) {
            BigDecimal rowCost = row.row().billing().hourCost(row.row().amount(), row.row().ptu(), key.hour());
            BigDecimal paidByApps = used.signum() == 0 ? BigDecimal.ZERO
                    : row.row().policy() == Policy.FULL || capacity.isEmpty() ? rowCost
                    : Shares.used(rowCost, used, capacity.get());
            if (paidByApps.signum() > 0) {
                List<BigDecimal> parts = Shares.split(paidByApps, weighted);
                for (int i = 0; i < lines.size(); i++) {
                    UsageLine line = lines.get(i);
                    allocationCsv(allocations, key, row.id(), line.appId(), line.deployment(), line.model(), null,
                            line.requests(), weighted.get(i), parts.get(i));
                }
            }
            BigDecimal idle = rowCost.subtract(paidByApps);
            if (idle.signum() > 0) {
                allocationCsv(allocations, key, row.id(), "", "", "", row.row().idleOwner(), 0, BigDecimal.ZERO, idle);
            }
            cost = cost.add(rowCost);
            allocated = allocated.add(paidByApps);
        }
        return new HourFigures(key, ptu, capacity.orElse(null), used, requests, cost, allocated,
                cost.subtract(allocated), spill[0], spill[1]);
    }

    private static Map<HourKey, List<UsageLine>> usage(Connection connection, Instant start, Instant end)
            throws SQLException {
        Map<HourKey, List<UsageLine>> usage = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(USAGE)) {
            query.setObject(1, start.atOffset(ZoneOffset.UTC));
            query.setObject(2, end.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    HourKey key = new HourKey(new DeploymentKey(row.getString(1), row.getString(2)),
                            row.getObject(3, OffsetDateTime.class).toInstant());
                    usage.computeIfAbsent(key, k -> new ArrayList<>()).add(new UsageLine(row.getString(4),
                            row.getString(5), row.getString(6), row.getLong(7), row.getLong(8), row.getLong(9),
                            row.getLong(10)));
                }
            }
        }
        usage.values().forEach(lines -> lines.sort(UsageLine.ORDER));
        return usage;
    }

    private static Map<HourKey, long[]> spilled(Connection connection, Instant start, Instant end) throws SQLException {
        Map<HourKey, long[]> spilled = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(SPILLED)) {
            query.setObject(1, start.atOffset(ZoneOffset.UTC));
            query.setObject(2, end.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    spilled.put(new HourKey(new DeploymentKey(row.getString(1), row.getString(2)),
                            row.getObject(3, OffsetDateTime.class).toInstant()), new long[] {row.getLong(4), row.getLong(5)});
                }
            }
        }
        return spilled;
    }

    /** The stored figures of the period's hours, by hour, and their total cost. */
    private static BigDecimal hoursBefore(Connection connection, Instant start, Instant end, Map<HourKey, String> into)
            throws SQLException {
        BigDecimal cost = BigDecimal.ZERO;
        try (PreparedStatement query = connection.prepareStatement(HOURS_BEFORE)) {
            query.setObject(1, start.atOffset(ZoneOffset.UTC));
            query.setObject(2, end.atOffset(ZoneOffset.UTC));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    HourFigures figures = new HourFigures(new HourKey(new DeploymentKey(row.getString(1),
                            row.getString(2)), row.getObject(3, OffsetDateTime.class).toInstant()), row.getInt(4),
                            row.getBigDecimal(5), row.getBigDecimal(6), row.getLong(7), row.getBigDecimal(8),
                            row.getBigDecimal(9), row.getBigDecimal(10), row.getLong(11), row.getLong(12));
                    into.put(figures.key(), figures.signature());
                    cost = cost.add(figures.cost());
                }
            }
        }
        return cost;
    }

    /**
     * Replaces the lines and hours of [start, end); the lines taken out leave the daily totals ({@link CapacityRollup})
     * and the new ones enter them, in the same statements, so the totals stay the sum of the lines.
     */
    private static void replace(Connection connection, Instant start, Instant end, String allocations, String hours)
            throws SQLException {
        OffsetDateTime from = start.atOffset(ZoneOffset.UTC);
        OffsetDateTime to = end.atOffset(ZoneOffset.UTC);
        try (PreparedStatement deleteAllocations = connection.prepareStatement("with gone as (delete from "
                     + "capacity_allocation where hour >= ? and hour < ? returning *) "
                     + CapacityRollup.upsert("gone", -1));
             PreparedStatement deleteHours = connection.prepareStatement(
                     "delete from capacity_hour where hour >= ? and hour < ?");
             PreparedStatement addAllocations = connection.prepareStatement(CapacityRollup.upsert(
                     "(select * from capacity_allocation where hour >= ? and hour < ?)", 1));
             PreparedStatement dropEmpty = connection.prepareStatement(CapacityRollup.DROP_EMPTY)) {
            for (PreparedStatement delete : List.of(deleteAllocations, deleteHours)) {
                delete.setObject(1, from);
                delete.setObject(2, to);
                delete.executeUpdate();
            }
            var copy = connection.unwrap(PGConnection.class).getCopyAPI();
            copy.copyIn("copy capacity_allocation (hour, capacity_id, backend_id, capacity_deployment, app_id, "
                    + "deployment, model, idle_owner, requests, weighted_tokens, cost) from stdin (format csv)",
                    new StringReader(allocations));
            copy.copyIn("copy capacity_hour (backend_id, deployment, hour, ptu, capacity_tokens, weighted_tokens, "
                    + "requests, cost, allocated_cost, idle_cost, spilled_requests, spilled_tokens) "
                    + "from stdin (format csv)", new StringReader(hours));
            addAllocations.setObject(1, from);
            addAllocations.setObject(2, to);
            addAllocations.executeUpdate();
            // A local day is at most a day off the UTC day of its hours, in any zone.
            dropEmpty.setObject(1, from.toLocalDate().minusDays(1));
            dropEmpty.setObject(2, to.toLocalDate().plusDays(1));
            dropEmpty.executeUpdate();
        } catch (IOException e) {
            throw new SQLException("Writing the allocation failed", e);
        }
    }

    private static void logRun(Connection connection, Result result) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("insert into capacity_allocation_run "
                + "(from_hour, to_hour, reason, hours, changed_hours, cost_before, cost_after) "
                + "values (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setObject(1, result.from().atOffset(ZoneOffset.UTC));
            insert.setObject(2, result.to().atOffset(ZoneOffset.UTC));
            insert.setString(3, result.reason());
            insert.setLong(4, result.hours());
            insert.setLong(5, result.changedHours());
            insert.setBigDecimal(6, result.costBefore());
            insert.setBigDecimal(7, result.costAfter());
            insert.executeUpdate();
        }
    }

    private static void allocationCsv(StringBuilder csv, HourKey key, long capacityId, String appId, String deployment,
                                      String model, String idleOwner, long requests, BigDecimal weighted,
                                      BigDecimal cost) {
        csv.append(key.hour()).append(',').append(capacityId).append(',');
        Csv.text(csv, key.deployment().backendId()).append(',');
        Csv.text(csv, key.deployment().deployment()).append(',');
        Csv.text(csv, appId).append(',');
        Csv.text(csv, deployment).append(',');
        Csv.text(csv, model).append(',');
        Csv.text(csv, idleOwner).append(',');
        csv.append(requests).append(',').append(weighted.toPlainString()).append(',').append(cost.toPlainString())
                .append('\n');
    }

    record HourKey(DeploymentKey deployment, Instant hour) {
    }

    /** One line of an hour's provisioned usage. */
    record UsageLine(String appId, String deployment, String model, long requests, long input, long cachedInput,
                     long output) {

        static final Comparator<UsageLine> ORDER = Comparator.comparing(UsageLine::appId)
                .thenComparing(UsageLine::deployment).thenComparing(UsageLine::model);

        BigDecimal weigh(Weights weights) {
            return weights.weigh(input, cachedInput, output);
        }
    }

    /** A deployment's hour as {@code capacity_hour} stores it. */
    private record HourFigures(HourKey key, int ptu, BigDecimal capacity, BigDecimal weighted, long requests,
                               BigDecimal cost, BigDecimal allocated, BigDecimal idle, long spilledRequests,
                               long spilledTokens) {

        String csv() {
            StringBuilder csv = new StringBuilder();
            Csv.text(csv, key.deployment().backendId()).append(',');
            Csv.text(csv, key.deployment().deployment()).append(',');
            return csv.append(key.hour()).append(',').append(ptu).append(',')
                    .append(capacity == null ? "" : capacity.toPlainString()).append(',')
                    .append(weighted.toPlainString()).append(',').append(requests).append(',')
                    .append(cost.toPlainString()).append(',').append(allocated.toPlainString()).append(',')
                    .append(idle.toPlainString()).append(',').append(spilledRequests).append(',')
                    .append(spilledTokens).append('\n').toString();
        }

        /** The figures, compared by value (a stored 1.50 equals a computed 1.5). */
        String signature() {
            return ptu + "|" + plain(capacity) + "|" + plain(weighted) + "|" + requests + "|" + plain(cost) + "|"
                    + plain(allocated) + "|" + plain(idle) + "|" + spilledRequests + "|" + spilledTokens;
        }

        private static String plain(BigDecimal value) {
            return value == null ? "" : value.stripTrailingZeros().toPlainString();
        }
    }
}
