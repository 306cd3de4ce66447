package dev.tollgate.metering;

import dev.tollgate.ledger.RecordInsert;
import dev.tollgate.pricing.PriceCatalogCache;
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
 * moment and inserts the batch as {@link RecordInsert} says, records and daily rollups in one statement, so that a
 * retried batch is harmless. Plain JDBC (pgjdbc's CopyManager) rather than Hibernate: this is the hot write path.
 */
@ApplicationScoped
public class UsageWriter {

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
                statement.execute(RecordInsert.CREATE_STAGING);
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn(RecordInsert.COPY, new StringReader(csv));
                statement.executeUpdate(RecordInsert.INSERT_STAGED);
                connection.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e instanceof SQLException sql ? sql : new SQLException("Writing usage records failed", e);
            }
        }
    }
}
