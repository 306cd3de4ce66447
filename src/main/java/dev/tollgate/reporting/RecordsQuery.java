package dev.tollgate.reporting;

import dev.tollgate.ledger.RecordColumn;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads single usage records for audit, in ({@code occurred_at}, {@code id}) order, a page at a time. A page is
 * delimited before it is read (its last key, found walking the index), so that it can be streamed from a database
 * cursor without ever being held, and its {@code next} cursor is known before its first byte. Blocking JDBC.
 */
@ApplicationScoped
public class RecordsQuery {

    /** Rows fetched per round trip while a page streams: what is in memory at once. */
    static final int FETCH_SIZE = 500;

    /** Which records: those in [from, to) matching every filter given (null: any). */
    record Filter(Instant from, Instant to, String app, String user, String model, String deployment,
                  String backend, String upstreamRequestId) {
    }

    /** A page: the records after {@code after} (null: from the start) up to and including {@code last} (null: all). */
    record Page(Filter filter, RecordCursor after, RecordCursor last) {

        /** Where the next page starts, or null if this one reaches the end. */
        RecordCursor next() {
            return last;
        }
    }

    /** Called with each record's values, in {@link RecordField#ALL} order then the app name. */
    interface RowSink {
        void accept(List<Object> values) throws IOException;
    }

    private static final String APP_NAME = "app_name";

    private final DataSource dataSource;

    public RecordsQuery(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The page of at most {@code limit} records after {@code after}. */
    Page page(Filter filter, RecordCursor after, int limit) throws SQLException {
        Where where = where(filter, after);
        String sql = "select r.occurred_at, r.id from usage_record r where " + where.sql
                + " order by r.occurred_at, r.id offset ? limit 2";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            int next = where.bind(statement, 1);
            statement.setInt(next, limit - 1);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return new Page(filter, after, null);
                }
                RecordCursor last = new RecordCursor(rows.getObject(1, OffsetDateTime.class).toInstant(),
                        rows.getObject(2, UUID.class));
                return new Page(filter, after, rows.next() ? last : null);
            }
        }
    }

    /** Streams the page's records to the sink, {@link #FETCH_SIZE} rows in memory at a time. */
    void stream(Page page, RowSink sink) throws SQLException, IOException {
        Where where = where(page.filter(), page.after());
        String sql = "select " + columns() + ", coalesce(a.display_name, g.display_name) as " + APP_NAME
                + " from usage_record r left join app a on a.app_id = r.app_id "
                + "left join app_directory g on g.app_id = r.app_id and g.found where " + where.sql
                + (page.last() == null ? "" : " and (r.occurred_at, r.id) <= (?, ?)")
                + " order by r.occurred_at, r.id";
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // pgjdbc reads FETCH_SIZE rows at a time only inside a transaction
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(FETCH_SIZE);
                int next = where.bind(statement, 1);
                if (page.last() != null) {
                    statement.setObject(next, utc(page.last().occurredAt()));
                    statement.setObject(next + 1, page.last().id());
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        List<Object> values = new ArrayList<>(RecordField.ALL.size() + 1);
                        for (RecordField field : RecordField.ALL) {
                            values.add(field.read(rows));
                        }
                        values.add(rows.getString(APP_NAME));
                        sink.accept(values);
                    }
                }
            } finally {
                connection.rollback(); // read only: nothing to keep
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private static String columns() {
        StringBuilder columns = new StringBuilder();
        for (RecordColumn column : RecordColumn.values()) {
            columns.append(columns.isEmpty() ? "" : ", ").append("r.").append(column.sql());
        }
        return columns.toString();
    }

    private static Where where(Filter filter, RecordCursor after) {
        StringBuilder sql = new StringBuilder("r.occurred_at >= ? and r.occurred_at < ?");
        List<Object> values = new ArrayList<>(List.of(utc(filter.from()), utc(filter.to())));
        equal(sql, values, "r.app_id", filter.app());
        equal(sql, values, "r.user_id", filter.user());
        equal(sql, values, "r.model", filter.model());
        equal(sql, values, "r.deployment", filter.deployment());
        equal(sql, values, "r.backend_id", filter.backend());
        equal(sql, values, "r.upstream_request_id", filter.upstreamRequestId());
        Optional.ofNullable(after).ifPresent(cursor -> {
            sql.append(" and (r.occurred_at, r.id) > (?, ?)");
            values.add(utc(cursor.occurredAt()));
            values.add(cursor.id());
        });
        return new Where(sql.toString(), values);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static void equal(StringBuilder sql, List<Object> values, String column, String value) {
        if (value != null) {
            sql.append(" and ").append(column).append(" = ?");
            values.add(value);
        }
    }

    /** A where clause and the values of its parameters, in order. */
    private record Where(String sql, List<Object> values) {

        /** Binds the values from parameter {@code first} on; returns the next free parameter. */
        int bind(PreparedStatement statement, int first) throws SQLException {
            int parameter = first;
            for (Object value : values) {
                statement.setObject(parameter++, value);
            }
            return parameter;
        }
    }
}
