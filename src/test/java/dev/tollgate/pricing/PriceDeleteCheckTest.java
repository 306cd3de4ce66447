package dev.tollgate.pricing;

import dev.tollgate.support.ScratchDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check {@code DELETE /api/prices/{id}} makes while writers wait ({@link PriceStore#delete}), planned by the real
 * PostgreSQL over a usage table of some size with fresh statistics: it must be an index lookup whatever the row, and
 * never a sequential scan, which for a row the newest records name reads every older record first.
 */
class PriceDeleteCheckTest {

    private static final int RECORDS = 200_000;
    /** Names the older half of the records. */
    private static final long OLD_PRICE = 1;
    /**
     * Names the newer half: so common that PostgreSQL expects a sequential scan to meet one at once, while it reads
     * the whole older half first.
     */
    private static final long NEW_PRICE = 2;
    /** Names no record. */
    private static final long UNUSED_PRICE = 3;

    private static ScratchDatabase db;

    @BeforeAll
    static void fillTheUsageTable() throws SQLException {
        db = new ScratchDatabase("price_delete_check");
        try (Connection connection = db.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("insert into usage_record (id, occurred_at, app_id, deployment, operation, stream, status, "
                    + "latency_ms, usage_source, price_id) "
                    + "select gen_random_uuid(), timestamptz '2026-01-01' + g * interval '1 second', 'app-' || g % 50, "
                    + "'gpt-4o', 'chat/completions', false, 200, 40, 'reported', "
                    + "case when g % 20 = 0 then null when g > " + RECORDS / 2 + " then " + NEW_PRICE
                    + " else " + OLD_PRICE + " end from generate_series(1, " + RECORDS + ") g");
            statement.execute("analyze usage_record");
        }
    }

    @AfterAll
    static void dropTheDatabase() {
        db.close();
    }

    @Test
    void aRowNoRecordNamesIsLookedUpInTheIndex() throws SQLException {
        assertIndexLookup(plan(UNUSED_PRICE));
        assertThat(pricedARecord(UNUSED_PRICE)).isFalse();
    }

    @Test
    void aRowTheNewerRecordsNameIsLookedUpInTheIndex() throws SQLException {
        assertIndexLookup(plan(NEW_PRICE));
        assertThat(pricedARecord(NEW_PRICE)).isTrue();
    }

    @Test
    void aRowTheOlderRecordsNameIsLookedUpInTheIndex() throws SQLException {
        assertIndexLookup(plan(OLD_PRICE));
        assertThat(pricedARecord(OLD_PRICE)).isTrue();
    }

    private static void assertIndexLookup(String plan) {
        assertThat(plan).contains("using usage_record_price_id on usage_record").doesNotContain("Seq Scan");
    }

    /** The plan of the store's check, run as the store runs it: in its transaction, after its setting. */
    private static String plan(long priceId) throws SQLException {
        return inCheckTransaction(connection -> {
            try (PreparedStatement explain = connection.prepareStatement("explain " + PriceStore.PRICED_A_RECORD)) {
                explain.setLong(1, priceId);
                List<String> lines = new ArrayList<>();
                try (ResultSet rows = explain.executeQuery()) {
                    while (rows.next()) {
                        lines.add(rows.getString(1));
                    }
                }
                return String.join("\n", lines);
            }
        });
    }

    private static boolean pricedARecord(long priceId) throws SQLException {
        return inCheckTransaction(connection -> {
            try (PreparedStatement used = connection.prepareStatement(PriceStore.PRICED_A_RECORD)) {
                used.setLong(1, priceId);
                try (ResultSet result = used.executeQuery()) {
                    result.next();
                    return result.getBoolean(1);
                }
            }
        });
    }

    private static <T> T inCheckTransaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = db.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute(PriceStore.INDEX_LOOKUP_ONLY);
                return work.run(connection);
            } finally {
                connection.rollback();
            }
        }
    }

    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
