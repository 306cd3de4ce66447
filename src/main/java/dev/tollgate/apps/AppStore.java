package dev.tollgate.apps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import org.hibernate.Session;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Every change to the app registry. Writes are single SQL statements that cannot collide: two replicas seeding the
 * same file, or two admins putting the same new app, end with one row and no error ({@code insert … on conflict}).
 * {@code updated_at} moves only when something actually changed, so a repeated PUT or seed leaves it alone.
 * Blocking: call it from a worker thread.
 */
@ApplicationScoped
public class AppStore {

    /** What a {@link #put} did. */
    public enum Outcome {
        /** The app was not registered; now it is. */
        CREATED,
        /** The app was registered with other values; now it has these. */
        UPDATED,
        /** The app was registered with these very values. */
        UNCHANGED,
        /** The app was registered and left as it was, as asked ({@code replace} false). */
        KEPT
    }

    /** The outcome of a put and the app as it is registered now. */
    public record Put(Outcome outcome, StoredApp app) {
    }

    private static final String RETURNING = " returning app_id, display_name, business_unit, cost_center, owner_contact, "
            + "tags::text, created_at, updated_at";
    private static final String INSERT = "insert into app (app_id, display_name, business_unit, cost_center, "
            + "owner_contact, tags) values (?, ?, ?, ?, ?, cast(? as jsonb)) on conflict (app_id) do nothing" + RETURNING;
    private static final String UPDATE = "update app set display_name = ?, business_unit = ?, cost_center = ?, "
            + "owner_contact = ?, tags = cast(? as jsonb), updated_at = now() where app_id = ? "
            + "and (display_name, business_unit, cost_center, owner_contact, tags) is distinct from "
            + "(cast(? as text), cast(? as text), cast(? as text), cast(? as text), cast(? as jsonb))" + RETURNING;
    private static final String SELECT = "select app_id, display_name, business_unit, cost_center, owner_contact, "
            + "tags::text, created_at, updated_at from app where app_id = ?";
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {
    };
    /** A put meets a concurrent delete at most once or twice; more would be a fault. */
    private static final int MAX_PUT_ROUNDS = 5;

    private final ObjectMapper mapper;

    public AppStore(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Registers the app; if it is registered already, gives it these values when {@code replace}, else leaves it as
     * it is. The app must have passed {@link AppRules}.
     */
    @Transactional
    public Put put(RegisteredApp app, boolean replace) {
        return session().doReturningWork(connection -> {
            for (int round = 1; round <= MAX_PUT_ROUNDS; round++) {
                Optional<StoredApp> inserted = insert(connection, app);
                if (inserted.isPresent()) {
                    return new Put(Outcome.CREATED, inserted.get());
                }
                if (replace) {
                    Optional<StoredApp> updated = update(connection, app);
                    if (updated.isPresent()) {
                        return new Put(Outcome.UPDATED, updated.get());
                    }
                }
                // Registered with these values (or kept): read it; gone again means deleted meanwhile, so insert.
                Optional<StoredApp> current = select(connection, app.appId());
                if (current.isPresent()) {
                    return new Put(replace ? Outcome.UNCHANGED : Outcome.KEPT, current.get());
                }
            }
            throw new IllegalStateException("App '" + app.appId() + "' was deleted and created again "
                    + MAX_PUT_ROUNDS + " times while it was being written");
        });
    }

    /**
     * Applies a change to a registered app, which is locked meanwhile so that concurrent changes of different fields
     * both land; empty if the app is not registered. The change may throw to refuse (nothing is written).
     */
    @Transactional
    public Optional<StoredApp> change(String appId, UnaryOperator<RegisteredApp> change) {
        if (!AppRules.isPossibleAppId(appId)) {
            return Optional.empty();
        }
        App locked = App.findById(appId, LockModeType.PESSIMISTIC_WRITE);
        if (locked == null) {
            return Optional.empty();
        }
        App.getEntityManager().detach(locked); // written with SQL below: Hibernate must not flush a stale copy
        RegisteredApp changed = change.apply(locked.toRegisteredApp());
        if (!changed.appId().equals(appId)) {
            throw new IllegalStateException("A change cannot rename app '" + appId + "'");
        }
        return Optional.of(session().doReturningWork(connection -> {
            Optional<StoredApp> updated = update(connection, changed);
            return updated.isPresent() ? updated.get() : select(connection, appId).orElseThrow();
        }));
    }

    /** Removes the app from the registry; false if it was not registered. Its usage stays, as unregistered. */
    @Transactional
    public boolean delete(String appId) {
        return AppRules.isPossibleAppId(appId) && App.deleteById(appId);
    }

    private Optional<StoredApp> insert(Connection connection, RegisteredApp app) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            statement.setString(1, app.appId());
            setValues(statement, 2, app);
            return one(statement);
        }
    }

    private Optional<StoredApp> update(Connection connection, RegisteredApp app) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(UPDATE)) {
            setValues(statement, 1, app);
            statement.setString(6, app.appId());
            setValues(statement, 7, app);
            return one(statement);
        }
    }

    private Optional<StoredApp> select(Connection connection, String appId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SELECT)) {
            statement.setString(1, appId);
            return one(statement);
        }
    }

    /** Sets display name, business unit, cost center, owner contact and tags from parameter {@code first} on. */
    private void setValues(PreparedStatement statement, int first, RegisteredApp app) throws SQLException {
        statement.setString(first, app.displayName());
        statement.setString(first + 1, app.businessUnit());
        statement.setString(first + 2, app.costCenter());
        statement.setString(first + 3, app.ownerContact());
        statement.setString(first + 4, json(app.tags()));
    }

    private Optional<StoredApp> one(PreparedStatement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            RegisteredApp app = new RegisteredApp(row.getString(1), row.getString(2), row.getString(3),
                    row.getString(4), row.getString(5), tags(row.getString(6)));
            return Optional.of(StoredApp.of(app, row.getObject(7, OffsetDateTime.class).toInstant(),
                    row.getObject(8, OffsetDateTime.class).toInstant()));
        }
    }

    private String json(Map<String, String> tags) {
        try {
            return mapper.writeValueAsString(tags);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A map of strings always serializes", e);
        }
    }

    private Map<String, String> tags(String json) {
        try {
            return mapper.readValue(json, TAGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The tags of an app are not a JSON object of strings: " + json, e);
        }
    }

    private static Session session() {
        return App.getEntityManager().unwrap(Session.class);
    }
}
