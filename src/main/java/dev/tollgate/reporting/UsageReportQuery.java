package dev.tollgate.reporting;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Sums usage records of a period by one grouping, in the database. */
@ApplicationScoped
public class UsageReportQuery {

    private final AgroalDataSource dataSource;

    public UsageReportQuery(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public UsageReport run(Instant from, Instant to, UsageGrouping grouping) throws SQLException {
        // The key expression comes from the enum, never from the caller: safe to splice.
        String sql = "select " + grouping.sqlKey() + " as group_key, count(*), sum(input_tokens), "
                + "sum(cached_input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(total_tokens) "
                + "from usage_record where occurred_at >= ? and occurred_at < ? group by 1 order by 1";
        List<UsageReport.Row> rows = new ArrayList<>();
        UsageReport.Totals total = UsageReport.Totals.ZERO;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, from.atOffset(ZoneOffset.UTC));
            statement.setObject(2, to.atOffset(ZoneOffset.UTC));
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    UsageReport.Totals totals = new UsageReport.Totals(result.getLong(2), result.getLong(3),
                            result.getLong(4), result.getLong(5), result.getLong(6), result.getLong(7));
                    rows.add(new UsageReport.Row(result.getString(1), totals));
                    total = total.plus(totals);
                }
            }
        }
        return new UsageReport(from, to, grouping.name().toLowerCase(java.util.Locale.ROOT), rows, total);
    }
}
