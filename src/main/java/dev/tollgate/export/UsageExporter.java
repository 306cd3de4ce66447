package dev.tollgate.export;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Moves usage records from PostgreSQL to a {@link UsageEventSender}, one round at a time: the records after the stored
 * position (and below the {@link CommitHorizon}), grouped by app, sent, and only then the position moved on. A round
 * that fails leaves the position where it was, so the next one sends the same records again: at least once, never
 * lost, and a restart resumes where the last successful round ended. Plain class, no CDI: {@link UsageExport} runs it.
 */
public final class UsageExporter {

    private final DataSource dataSource;
    private final UsageEventSender sender;
    private final ExportPositions positions;
    private final UsageOutbox outbox = new UsageOutbox();
    private final CommitHorizon horizon = new CommitHorizon();
    private final int batchSize;
    private final ExportMetrics metrics;
    private final Clock clock;

    /**
     * @param positionName the exporter's row in {@code usage_export_position}
     * @param owner        who this exporter is among the replicas sharing the database (its lease's holder)
     * @param lease        how long a round may take at most, backoff included, before another replica may take over
     */
    public UsageExporter(DataSource dataSource, UsageEventSender sender, String positionName, String owner,
                         Duration lease, int batchSize, ExportMetrics metrics, Clock clock) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("The export batch size must be at least 1, not " + batchSize);
        }
        this.dataSource = dataSource;
        this.sender = sender;
        this.positions = new ExportPositions(positionName, owner, lease);
        this.batchSize = batchSize;
        this.metrics = metrics;
        this.clock = clock;
    }

    public int batchSize() {
        return batchSize;
    }

    /**
     * One round. Returns how many records were sent: 0 if there was nothing to send or another replica holds the
     * lease, {@link #batchSize()} if there may be more. Throws if the database or the sender failed; nothing moved.
     */
    public int exportOnce() throws SQLException {
        List<UsageEvent> events;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            long upTo = horizon.advance(connection);
            OptionalLong position = positions.claim(connection);
            if (position.isEmpty()) {
                return 0;
            }
            events = outbox.next(connection, position.getAsLong(), upTo, batchSize);
        }
        if (events.isEmpty()) {
            return 0;
        }
        // No connection held while sending: a slow hub must not keep one from the gateway's pool.
        sender.send(byPartitionKey(events));
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            positions.advance(connection, events.get(events.size() - 1).seq());
        }
        metrics.sent(events.size());
        return events.size();
    }

    /** Measures how far behind the export is, for {@link ExportMetrics}: a count and one indexed read. */
    public void measureLag() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            long position = positions.read(connection);
            long records = outbox.countAfter(connection, position);
            Optional<OffsetDateTime> oldest = records == 0 ? Optional.empty() : outbox.oldestAfter(connection, position);
            metrics.lag(records, oldest.map(t -> Duration.between(t.toInstant(), clock.instant()))
                    .orElse(Duration.ZERO));
        }
    }

    /** Gives this process's lease up (at shutdown), so that another replica need not wait for it to lapse. */
    public void releaseLease() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            positions.release(connection);
        }
    }

    void failed() {
        metrics.failed();
    }

    long lagRecords() {
        return metrics.lagRecords();
    }

    /** App ids in order of their first record; each app's records in seq order. */
    private static Map<String, List<UsageEvent>> byPartitionKey(List<UsageEvent> events) {
        Map<String, List<UsageEvent>> groups = new LinkedHashMap<>();
        for (UsageEvent event : events) {
            groups.computeIfAbsent(event.partitionKey(), key -> new ArrayList<>()).add(event);
        }
        return groups;
    }
}
