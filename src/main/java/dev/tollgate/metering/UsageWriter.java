package dev.tollgate.metering;

import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.reporting.DailyRollup;
import jakarta.enterprise.context.ApplicationScoped;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Writes usage records to PostgreSQL, a batch per transaction: prices each record with the catalog committed at that
 * moment, {@code COPY}s them into a session-local staging table, then one {@code insert … select … on conflict (id) do
 * nothing} that also adds the newly inserted records to the daily rollups. COPY is several times faster than batched
 * inserts, and the conflict clause, which COPY alone lacks, makes a retried batch harmless, to the records and to the
 * rollups alike. Plain JDBC (pgjdbc's CopyManager) rather than Hibernate: this is the hot write path.
 */
@ApplicationScoped
public class UsageWriter {

    private static final String COLUMNS = "id, occurred_at, app_id, tenant_id, deployment, model, backend_id, region, "
            + "operation, stream, status, latency_ms, attempts, input_tokens, cached_input_tokens, output_tokens, "
            + "reasoning_tokens, total_tokens, usage_source, upstream_request_id, deployment_type, price_id, cost";
    private static final String STAGING = "create temp table if not exists usage_record_staging "
            + "(like usage_record) on commit delete rows";
    private static final String COPY = "copy usage_record_staging (" + COLUMNS + ") from stdin (format csv)";
    /** New records only (a retried batch adds nothing), and the same new records into the daily rollups. */
    private static final String MERGE = "with inserted as (insert into usage_record (" + COLUMNS + ") select "
            + COLUMNS + " from usage_record_staging on conflict (id) do nothing returning " + DailyRollup.RECORD_COLUMNS + ") "
            + DailyRollup.upsert("inserted", 1);

    private final DataSource dataSource;
    private final PriceCatalogCache prices;

    public UsageWriter(DataSource dataSource, PriceCatalogCache prices) {
        this.dataSource = dataSource;
        this.prices = prices;
    }

    /** Writes all the records or none of them; records already in the table are left as they are. */
    public void write(List<UsageRecord> records) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                String csv = UsageCsv.of(records, prices.current(connection));
                statement.execute(STAGING);
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new StringReader(csv));
                statement.executeUpdate(MERGE);
                connection.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e instanceof SQLException sql ? sql : new SQLException("Writing usage records failed", e);
            }
        }
    }
}
