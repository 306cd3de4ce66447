package dev.tollgate.metering;

import dev.tollgate.ledger.RecordInsert;
import dev.tollgate.pricing.PriceCatalogCache;
import jakarta.inject.Singleton;
import org.postgresql.PGConnection;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL sink: writes usage records a batch per transaction, each priced with the catalog committed at that
 * moment, inserted as {@link RecordInsert} says, records and daily rollups in one statement, so that a retried batch
 * is harmless (a plain insert first, the conflict-safe one if the batch meets a record already written). Plain JDBC
 * (pgjdbc's CopyManager) rather than Hibernate: this is the hot write path.
 */
@Singleton
public class UsageWriter implements UsageSink {

    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final PriceCatalogCache prices;
    /** The COPY form of the batch being written, its buffer kept for the next: one batch at a time (synchronized). */
    private final UsageCopy copy = new UsageCopy();

    public UsageWriter(DataSource dataSource, PriceCatalogCache prices) {
        this.dataSource = dataSource;
        this.prices = prices;
    }

    /** Writes all the records or none of them; records already in the table are left as they are. */
    @Override
    public void write(List<UsageRecord> records) throws UsageSinkException {
        try {
            insert(records);
        } catch (SQLException e) {
            throw new UsageSinkException(e, refusedForGood(e));
        } catch (RuntimeException | AssertionError e) {
            // pgjdbc answers some writes on a connection the server dropped with an AssertionError.
            throw new UsageSinkException(e, false);
        }
    }

    /** The failure is about the data (SQLSTATE classes 22 and 23), not the database being away. */
    private static boolean refusedForGood(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private void insert(List<UsageRecord> records) throws SQLException {
        synchronized (copy) {
            insertCopied(records);
        }
    }

    private void insertCopied(List<UsageRecord> records) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                InputStream rows = copy.of(records, prices.current(connection));
                statement.execute(RecordInsert.CREATE_STAGING);
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn(RecordInsert.COPY, rows);
                moveStaged(connection, statement);
                connection.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e instanceof SQLException sql ? sql : new SQLException("Writing usage records failed", e);
            }
        }
    }

    /** The plain insert first; the conflict-safe one only if a record of the batch is already there. */
    private static void moveStaged(Connection connection, Statement statement) throws SQLException {
        Savepoint beforeInsert = connection.setSavepoint();
        try {
            statement.executeUpdate(RecordInsert.INSERT_NEW);
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            connection.rollback(beforeInsert);
            statement.executeUpdate(RecordInsert.INSERT_STAGED);
        }
    }
}
