package dev.tollgate.export;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The highest {@code seq} up to which {@code usage_record} can no longer change: no record with a seq at or below it
 * can still appear. A high-water mark may only move up to there, or a record committed late (its writer drew a
 * lower seq than a record another writer committed first, as several replicas do all the time) would be skipped.
 *
 * <p>How it knows, reading only: it notes the sequence's last drawn value, then which transactions hold a
 * {@code RowExclusiveLock} on {@code usage_record} (every insert takes it before drawing a seq, and keeps it to the
 * end of its transaction). Once all of those have ended, every seq up to the noted value is committed or gone for
 * good. Usually no writer is in the middle of a transaction and the horizon is the last drawn value at once;
 * otherwise it is the value noted on an earlier round whose writers have since finished.
 */
final class CommitHorizon {

    /** Samples kept while writers are still busy; a stuck writer makes us keep no more than this. */
    private static final int MAX_SAMPLES = 64;

    private static final String LAST_DRAWN = "select case when is_called then last_value else 0 end "
            + "from usage_record_seq";
    /* pg_locks covers the whole server: the same relation OID may exist in another database. */
    private static final String WRITERS = "select virtualtransaction from pg_locks where locktype = 'relation' "
            + "and database = (select oid from pg_database where datname = current_database()) "
            + "and relation = 'usage_record'::regclass and mode = 'RowExclusiveLock'";
    private static final String STILL_RUNNING = "select virtualxid from pg_locks where locktype = 'virtualxid' "
            + "and virtualxid = any (?)";

    private record Sample(long lastDrawn, Set<String> writers) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private long horizon;

    /** Looks again (three short reads, in auto-commit) and returns the horizon, which never goes down. */
    long advance(Connection connection) throws SQLException {
        settleEarlierSamples(connection);
        long lastDrawn = singleLong(connection, LAST_DRAWN);
        Set<String> writers = strings(connection, WRITERS); // after reading the sequence, never before
        if (writers.isEmpty()) {
            samples.clear();
            horizon = Math.max(horizon, lastDrawn);
        } else {
            samples.addLast(new Sample(lastDrawn, writers));
            if (samples.size() > MAX_SAMPLES) {
                samples.removeFirst();
            }
        }
        return horizon;
    }

    /** The latest earlier sample whose writers have all ended becomes the horizon; it and older ones are done. */
    private void settleEarlierSamples(Connection connection) throws SQLException {
        if (samples.isEmpty()) {
            return;
        }
        Set<String> all = new HashSet<>();
        samples.forEach(sample -> all.addAll(sample.writers()));
        Set<String> running = stillRunning(connection, all);
        Sample latestSettled = null;
        for (Sample sample : samples) {
            if (sample.writers().stream().noneMatch(running::contains)) {
                latestSettled = sample;
            }
        }
        if (latestSettled != null) {
            horizon = Math.max(horizon, latestSettled.lastDrawn());
            while (samples.removeFirst() != latestSettled) {
                // older samples are settled with it
            }
        }
    }

    private static Set<String> stillRunning(Connection connection, Set<String> transactions) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(STILL_RUNNING)) {
            Array array = connection.createArrayOf("text", transactions.toArray());
            statement.setArray(1, array);
            try (ResultSet rows = statement.executeQuery()) {
                Set<String> running = new HashSet<>();
                while (rows.next()) {
                    running.add(rows.getString(1));
                }
                return running;
            }
        }
    }

    private static long singleLong(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Set<String> strings(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            Set<String> values = new HashSet<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
