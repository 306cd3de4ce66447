package dev.tollgate.support;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Reads usage rows straight from the test PostgreSQL over JDBC, to check what the gateway wrote. */
@ApplicationScoped
public class UsageRows {

    private final AgroalDataSource dataSource;

    public UsageRows(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Map<String, Object>> byId(String requestId) {
        List<Map<String, Object>> rows = query("select * from usage_record where id = ?", UUID.fromString(requestId));
        return rows.stream().findFirst();
    }

    public List<Map<String, Object>> byApp(String appId) {
        return query("select * from usage_record where app_id = ? order by occurred_at", appId);
    }

    private List<Map<String, Object>> query(String sql, Object parameter) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int column = 1; column <= result.getMetaData().getColumnCount(); column++) {
                        row.put(result.getMetaData().getColumnName(column), result.getObject(column));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
