package dev.tollgate.capacity;

import dev.tollgate.background.DaemonScheduler;
import io.quarkus.runtime.ShutdownEvent;
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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the allocation current, every {@link CapacityConfig#allocateEvery()}: allocates the UTC hours completed since
 * the last run (the frontier), and again every earlier hour that received records since (a spool or journal replay,
 * a late batch): those records have a {@code seq} above the one noted at the last run. The noted {@code seq} is read
 * while no writer is between its insert and its commit, so no record below it can still appear.
 */
@ApplicationScoped
public class AllocationLoop {

    private static final Logger LOG = Logger.getLogger(AllocationLoop.class);
    private static final String LATE_HOURS = "select distinct date_trunc('hour', occurred_at, 'UTC') from usage_record "
            + "where seq > ? and seq <= ? and occurred_at < ? "
            + "and (deployment_type like '%-provisioned' or spilled_from_backend is not null) order by 1";

    private final DataSource dataSource;
    private final Allocator allocator;
    private final CapacityConfig config;
    private ScheduledExecutorService executor;

    public AllocationLoop(DataSource dataSource, Allocator allocator, CapacityConfig config) {
        this.dataSource = dataSource;
        this.allocator = allocator;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.allocateEvery().isZero()) {
            return;
        }
        executor = DaemonScheduler.named("capacity-allocation");
        long every = config.allocateEvery().toMillis();
        executor.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void runQuietly() {
        try {
            catchUp();
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Capacity allocation failed, retried in %s: %s", config.allocateEvery(), e.getMessage());
        }
    }

    /** Allocates what is due now; the runs it made (none when nothing was due). */
    public List<Allocator.Result> catchUp() throws SQLException {
        long committedSeq = committedSeq();
        Instant now = Instant.now().truncatedTo(ChronoUnit.HOURS);
        List<Allocator.Result> runs = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Allocator.lock(connection);
                long lastSeq;
                Instant frontier;
                try (Statement statement = connection.createStatement();
                     ResultSet state = statement.executeQuery(
                             "select frontier, last_seq from capacity_allocator_state")) {
                    state.next();
                    OffsetDateTime stored = state.getObject(1, OffsetDateTime.class);
                    lastSeq = state.getLong(2);
                    frontier = stored == null ? earliestCapacity(connection) : stored.toInstant();
                }
                if (frontier != null) {
                    for (Instant hour : lateHours(connection, lastSeq, committedSeq, frontier)) {
                        runs.add(allocator.allocate(connection, hour, hour.plus(1, ChronoUnit.HOURS), "late-records", false));
                    }
                    if (frontier.isBefore(now)) {
                        runs.add(allocator.allocate(connection, frontier, now, "scheduled", false));
                        frontier = now;
                    }
                }
                try (PreparedStatement update = connection.prepareStatement(
                        "update capacity_allocator_state set frontier = ?, last_seq = ?")) {
                    update.setObject(1, frontier == null ? null : frontier.atOffset(ZoneOffset.UTC));
                    update.setLong(2, committedSeq);
                    update.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return runs;
    }

    /** The hour up to which the background runs have allocated (exclusive); empty before the first. */
    public Optional<Instant> frontier() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet state = statement.executeQuery("select frontier from capacity_allocator_state")) {
            state.next();
            return Optional.ofNullable(state.getObject(1, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
        }
    }

    /**
     * The highest record {@code seq} such that every record up to it is committed: read under a lock that waits for
     * writers between their insert and their commit (they hold ROW EXCLUSIVE on usage_daily to their commit).
     */
    private long committedSeq() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("lock table usage_daily in share mode");
                long seq;
                try (ResultSet max = statement.executeQuery("select coalesce(max(seq), 0) from usage_record")) {
                    max.next();
                    seq = max.getLong(1);
                }
                connection.commit();
                return seq;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static Instant earliestCapacity(Connection connection) throws SQLException {
        return CapacityStore.catalog(connection).rows().stream().map(c -> c.row().effectiveFrom())
                .min(Comparator.naturalOrder()).orElse(null);
    }

    private static List<Instant> lateHours(Connection connection, long afterSeq, long upToSeq, Instant before)
            throws SQLException {
        List<Instant> hours = new ArrayList<>();
        if (upToSeq <= afterSeq) {
            return hours;
        }
        try (PreparedStatement query = connection.prepareStatement(LATE_HOURS)) {
            query.setLong(1, afterSeq);
            query.setLong(2, upToSeq);
            query.setObject(3, before.atOffset(ZoneOffset.UTC));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    hours.add(rows.getObject(1, OffsetDateTime.class).toInstant());
                }
            }
        }
        return hours;
    }
}
