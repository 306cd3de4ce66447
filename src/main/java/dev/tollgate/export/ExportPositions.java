package dev.tollgate.export;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Where an exporter stands, in {@code usage_export_position}: every record with {@code seq <= last_seq} has been
 * accepted by the destination. One row per exporter name, with a lease so that of several replicas one exports at a
 * time. Every statement is a transaction of its own, and none is held open while sending.
 */
final class ExportPositions {

    private static final String CREATE = "insert into usage_export_position (name, last_seq) values (?, 0) "
            + "on conflict (name) do nothing";
    private static final String CLAIM = "update usage_export_position "
            + "set owner = ?, lease_until = now() + ? * interval '1 millisecond' "
            + "where name = ? and (owner = ? or lease_until is null or lease_until < now()) returning last_seq";
    /* greatest(): a replica whose lease lapsed mid-send may still finish; it can only move the position on. */
    private static final String ADVANCE = "update usage_export_position "
            + "set last_seq = greatest(last_seq, ?), updated_at = now() where name = ?";
    private static final String RELEASE = "update usage_export_position set lease_until = null "
            + "where name = ? and owner = ?";
    private static final String READ = "select last_seq from usage_export_position where name = ?";

    private final String name;
    private final String owner;
    private final Duration lease;

    /**
     * @param owner who this exporter is (unique per process)
     * @param lease how long a claim keeps other owners out: longer than a round can take, backoff included
     */
    ExportPositions(String name, String owner, Duration lease) {
        this.name = name;
        this.owner = owner;
        this.lease = lease;
    }

    /**
     * Takes or renews the lease and returns the position (0 for a new exporter), or empty if another owner's lease
     * runs: another replica is exporting.
     */
    OptionalLong claim(Connection connection) throws SQLException {
        try (PreparedStatement create = connection.prepareStatement(CREATE)) {
            create.setString(1, name);
            create.executeUpdate();
        }
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setString(1, owner);
            claim.setLong(2, lease.toMillis());
            claim.setString(3, name);
            claim.setString(4, owner);
            try (ResultSet rows = claim.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Records that everything up to {@code lastSeq} has been accepted. Call only after the destination said so. */
    void advance(Connection connection, long lastSeq) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ADVANCE)) {
            statement.setLong(1, lastSeq);
            statement.setString(2, name);
            if (statement.executeUpdate() != 1) {
                throw new SQLException("Export position '" + name + "' disappeared");
            }
        }
    }

    /** Gives the lease up, so that another replica takes over at once rather than when it lapses. */
    void release(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RELEASE)) {
            statement.setString(1, name);
            statement.setString(2, owner);
            statement.executeUpdate();
        }
    }

    /** The position, 0 before the first export. */
    long read(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(READ)) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }
}
