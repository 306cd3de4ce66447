package dev.tollgate.admission.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The {@code admission_rule} table (V5 migration). Every change is one statement or one transaction that locks the row
 * it edits, so concurrent admins and replicas cannot lose each other's changes; a trigger bumps
 * {@code admission_rule_version}, which every replica follows. Blocking JDBC: worker threads only.
 */
@ApplicationScoped
public class RuleStore {

    private static final Logger LOG = Logger.getLogger(RuleStore.class);
    /** PostgreSQL's unique_violation: the subject and scope index. */
    private static final String UNIQUE_VIOLATION = "23505";

    public enum Outcome { CREATED, UPDATED, UNCHANGED, KEPT }

    public record Put(Outcome outcome, StoredRule rule) {
    }

    private final DataSource dataSource;
    private final RuleJson json;

    public RuleStore(DataSource dataSource, ObjectMapper mapper) {
        this.dataSource = dataSource;
        this.json = new RuleJson(mapper);
    }

    public List<StoredRule> all() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return all(connection);
        }
    }

    public Optional<StoredRule> find(String id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "select id, body::text, created_at, updated_at from admission_rule where id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(stored(row)) : Optional.empty();
            }
        }
    }

    /** Creates the rule, or replaces it if {@code replace} (else keeps the stored one). */
    public Put put(LimitRule rule, boolean replace) throws SQLException {
        String body = RuleJson.write(rule).toString();
        String sql = "insert into admission_rule (id, body) values (?, ?::jsonb) on conflict (id) do "
                + (replace ? "update set body = excluded.body, updated_at = now() "
                + "where admission_rule.body is distinct from excluded.body " : "nothing ")
                + "returning id, body::text, created_at, updated_at, (xmax = 0) as created";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(sql)) {
            insert.setString(1, rule.id());
            insert.setString(2, body);
            try (ResultSet row = insert.executeQuery()) {
                if (row.next()) {
                    return new Put(row.getBoolean("created") ? Outcome.CREATED : Outcome.UPDATED, stored(row));
                }
            }
        } catch (SQLException e) {
            throw conflictOr(e, rule);
        }
        StoredRule stored = find(rule.id()).orElseThrow(() -> new SQLException("Rule " + rule.id() + " vanished"));
        return new Put(replace ? Outcome.UNCHANGED : Outcome.KEPT, stored);
    }

    /** Changes a stored rule under its row lock; empty if there is none. */
    public Optional<StoredRule> change(String id, UnaryOperator<LimitRule> change) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                StoredRule current;
                try (PreparedStatement query = connection.prepareStatement(
                        "select id, body::text, created_at, updated_at from admission_rule where id = ? for update")) {
                    query.setString(1, id);
                    try (ResultSet row = query.executeQuery()) {
                        if (!row.next()) {
                            connection.rollback();
                            return Optional.empty();
                        }
                        current = stored(row);
                    }
                }
                LimitRule changed = change.apply(current.rule());
                try (PreparedStatement update = connection.prepareStatement("update admission_rule set body = ?::jsonb, "
                        + "updated_at = now() where id = ? and body is distinct from ?::jsonb "
                        + "returning id, body::text, created_at, updated_at")) {
                    String body = RuleJson.write(changed).toString();
                    update.setString(1, body);
                    update.setString(2, id);
                    update.setString(3, body);
                    try (ResultSet row = update.executeQuery()) {
                        StoredRule result = row.next() ? stored(row) : current;
                        connection.commit();
                        return Optional.of(result);
                    }
                } catch (SQLException e) {
                    throw conflictOr(e, changed);
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    public boolean delete(String id) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("delete from admission_rule where id = ?")) {
            delete.setString(1, id);
            return delete.executeUpdate() > 0;
        }
    }

    /** The rules' version ({@code admission_rule_version}), on the caller's connection. */
    public static long version(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select version from admission_rule_version");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Every stored rule, by id; a row that no longer reads as a valid rule is logged and left out. */
    public List<StoredRule> all(Connection connection) throws SQLException {
        List<StoredRule> rules = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "select id, body::text, created_at, updated_at from admission_rule order by id");
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                try {
                    rules.add(stored(row));
                } catch (InvalidRuleException e) {
                    LOG.errorf("Admission rule %s is stored but invalid and is not applied: %s", row.getString("id"),
                            e.getMessage());
                }
            }
        }
        return rules;
    }

    private StoredRule stored(ResultSet row) throws SQLException {
        LimitRule rule = LimitRules.check(json.read(row.getString("id"), row.getString("body")));
        return new StoredRule(rule, row.getObject("created_at", OffsetDateTime.class).toInstant(),
                row.getObject("updated_at", OffsetDateTime.class).toInstant());
    }

    private static SQLException conflictOr(SQLException e, LimitRule rule) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            throw new RuleConflictException("Another rule already limits " + rule.subject()
                    + (rule.deployment() != null ? " on deployment '" + rule.deployment() + "'"
                    : rule.modelFamily() != null ? " on model family '" + rule.modelFamily() + "'" : " (unscoped)")
                    + "; change that rule instead (GET /api/limits lists them).");
        }
        return e;
    }
}
