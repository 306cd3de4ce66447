package dev.tollgate.metering;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes usage records to PostgreSQL in one batched statement per call. Plain JDBC rather than Hibernate: this is the
 * hot write path and needs batched, rewritten inserts. {@code on conflict do nothing} makes a retried batch harmless.
 */
@ApplicationScoped
public class UsageWriter {

    private static final String INSERT = """
            insert into usage_record (id, occurred_at, app_id, tenant_id, deployment, model, backend_id, operation,
                stream, status, latency_ms, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                total_tokens, usage_source, upstream_request_id)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (id) do nothing
            """;

    private final AgroalDataSource dataSource;

    public UsageWriter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes all the records or none of them. */
    public void write(List<UsageRecord> records) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (UsageRecord record : records) {
                    bind(insert, record);
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement insert, UsageRecord r) throws SQLException {
        Usage usage = r.usage();
        insert.setObject(1, r.id());
        insert.setObject(2, r.occurredAt().atOffset(ZoneOffset.UTC));
        insert.setString(3, r.appId());
        setNullable(insert, 4, r.tenantId());
        insert.setString(5, r.deployment());
        setNullable(insert, 6, r.model());
        setNullable(insert, 7, r.backendId());
        insert.setString(8, r.operation());
        insert.setBoolean(9, r.stream());
        insert.setInt(10, r.status());
        insert.setInt(11, r.latencyMs());
        insert.setLong(12, usage.inputTokens());
        insert.setLong(13, usage.cachedInputTokens());
        insert.setLong(14, usage.outputTokens());
        insert.setLong(15, usage.reasoningTokens());
        insert.setLong(16, usage.totalTokens());
        insert.setString(17, usage.source().dbValue());
        setNullable(insert, 18, r.upstreamRequestId());
    }

    private static void setNullable(PreparedStatement insert, int index, String value) throws SQLException {
        if (value == null) {
            insert.setNull(index, Types.VARCHAR);
        } else {
            insert.setString(index, value);
        }
    }
}
