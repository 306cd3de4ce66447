package dev.tollgate.export;

import dev.tollgate.ledger.RecordColumn;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Reads {@code usage_record} in {@code seq} order: what is left to export, and how much. Never writes. */
final class UsageOutbox {

    private static final String NEXT = "select seq, " + RecordColumn.ALL + " from usage_record where seq > ? and seq <= ? "
            + "order by seq limit ?";
    private static final String COUNT = "select count(*) from usage_record where seq > ?";
    private static final String OLDEST = "select occurred_at from usage_record where seq > ? order by seq limit 1";

    /** Up to {@code limit} records after {@code afterSeq} and up to {@code horizon}, in seq order. */
    List<UsageEvent> next(Connection connection, long afterSeq, long horizon, int limit) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(NEXT)) {
            statement.setLong(1, afterSeq);
            statement.setLong(2, horizon);
            statement.setInt(3, limit);
            try (ResultSet rows = statement.executeQuery()) {
                List<UsageEvent> events = new ArrayList<>();
                while (rows.next()) {
                    events.add(new UsageEvent(rows.getLong("seq"), record(rows)));
                }
                return events;
            }
        }
    }

    /** Records after {@code afterSeq}, written or still settling. */
    long countAfter(Connection connection, long afterSeq) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNT)) {
            statement.setLong(1, afterSeq);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** When the first record after {@code afterSeq} occurred, if there is one. */
    Optional<OffsetDateTime> oldestAfter(Connection connection, long afterSeq) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(OLDEST)) {
            statement.setLong(1, afterSeq);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getObject(1, OffsetDateTime.class)) : Optional.empty();
            }
        }
    }

    private static UsageRecord record(ResultSet rows) throws SQLException {
        Usage usage = new Usage(rows.getLong("input_tokens"), rows.getLong("cached_input_tokens"),
                rows.getLong("output_tokens"), rows.getLong("reasoning_tokens"), rows.getLong("total_tokens"),
                UsageSource.valueOf(rows.getString("usage_source").toUpperCase(Locale.ROOT)));
        return new UsageRecord(rows.getObject("id", UUID.class),
                rows.getObject("occurred_at", OffsetDateTime.class).toInstant(), rows.getString("app_id"),
                rows.getString("tenant_id"), rows.getString("deployment"), rows.getString("model"),
                rows.getString("backend_id"), rows.getString("region"),
                Optional.ofNullable(rows.getString("deployment_type")).map(DeploymentType::parse).orElse(null),
                rows.getString("operation"),
                rows.getBoolean("stream"), rows.getInt("status"), rows.getInt("latency_ms"), rows.getInt("attempts"),
                usage, rows.getString("upstream_request_id"), rows.getString("user_id"),
                rows.getBoolean("model_inferred"), rows.getString("limited_by"));
    }
}
