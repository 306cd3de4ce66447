package dev.tollgate.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The names looked up for apps nobody registered (table {@code app_directory}): which app ids need a look-up, and
 * what it found. A registered name always wins: reports and the records API read {@code coalesce(app.display_name,
 * app_directory.display_name)}, and registered apps are never looked up. Blocking JDBC: call it from a worker thread.
 */
@ApplicationScoped
public class AppDirectory {

    /**
     * App ids that have usage, are not registered, and were not looked up within the interval; only those shaped as
     * Entra app ids (GUIDs), the only ones a directory can know.
     */
    private static final String UNNAMED = "select distinct d.app_id from usage_daily d "
            + "where not exists (select 1 from app a where a.app_id = d.app_id) "
            + "and not exists (select 1 from app_directory g where g.app_id = d.app_id "
            + "and g.looked_up_at > now() - ?::interval) order by 1";
    private static final String REMEMBER = "insert into app_directory (app_id, found, display_name, owner_tenant_id, "
            + "tags, looked_up_at) values (?, ?, ?, ?, cast(? as jsonb), now()) on conflict (app_id) do update set "
            + "found = excluded.found, display_name = excluded.display_name, "
            + "owner_tenant_id = excluded.owner_tenant_id, tags = excluded.tags, looked_up_at = excluded.looked_up_at";

    private final DataSource dataSource;
    private final ObjectMapper mapper;

    public AppDirectory(DataSource dataSource, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.mapper = mapper;
    }

    /** App ids to look up: with usage, unregistered, not looked up within {@code interval}. */
    public List<String> unnamed(Duration interval) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(UNNAMED)) {
            statement.setString(1, interval.toSeconds() + " seconds");
            try (ResultSet rows = statement.executeQuery()) {
                List<String> appIds = new ArrayList<>();
                while (rows.next()) {
                    if (isEntraAppId(rows.getString(1))) {
                        appIds.add(rows.getString(1));
                    }
                }
                return appIds;
            }
        }
    }

    /** Keeps what a look-up of the app id found: the entry, or that the directory does not know it. */
    public void remember(String appId, Optional<DirectoryEntry> entry) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(REMEMBER)) {
            statement.setString(1, appId);
            statement.setBoolean(2, entry.isPresent());
            statement.setString(3, entry.map(DirectoryEntry::displayName).orElse(null));
            statement.setString(4, entry.map(DirectoryEntry::ownerTenantId).orElse(null));
            statement.setString(5, json(entry.map(DirectoryEntry::tags).orElse(List.of())));
            statement.executeUpdate();
        }
    }

    /** The name looked up for the app id, if the directory knew it. */
    public Optional<DirectoryEntry> find(String appId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement("select display_name, owner_tenant_id, "
                     + "tags::text from app_directory where app_id = ? and found")) {
            statement.setString(1, appId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DirectoryEntry(appId, row.getString(1), row.getString(2),
                        List.of(mapper.readValue(row.getString(3), String[].class))));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("app_directory.tags is not a JSON array of strings", e);
        }
    }

    static boolean isEntraAppId(String appId) {
        try {
            return appId.length() == 36 && UUID.fromString(appId) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String json(List<String> tags) {
        try {
            return mapper.writeValueAsString(tags);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A list of strings always serializes", e);
        }
    }
}
