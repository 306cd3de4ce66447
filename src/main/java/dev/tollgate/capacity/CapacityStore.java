package dev.tollgate.capacity;

import dev.tollgate.pricing.PricingConfig;
import dev.tollgate.routing.DeploymentType;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code capacity} table: rows are added, never changed (a change is a new row). Plain JDBC, like the prices. */
@ApplicationScoped
public class CapacityStore {

    private static final String COLUMNS = "backend_id, deployment, model, deployment_type, ptu, billing, currency, "
            + "amount, policy, idle_owner, effective_from, effective_to, source";
    private static final String INSERT = "insert into capacity (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?) on conflict do nothing";

    private final DataSource dataSource;
    private final PricingConfig pricing;

    public CapacityStore(DataSource dataSource, PricingConfig pricing) {
        this.dataSource = dataSource;
        this.pricing = pricing;
    }

    /** How many rows were new and how many were in the catalog already; the earliest start among the new ones. */
    public record AddResult(int added, int alreadyPresent, Optional<Instant> earliestAdded) {
    }

    /**
     * Adds the rows in one transaction: all or none; rows already in the catalog are skipped.
     *
     * @throws IllegalArgumentException if a row is not in the catalog's currency
     */
    public AddResult add(List<CapacityRow> rows) throws SQLException {
        for (CapacityRow row : rows) {
            if (!row.currency().equals(pricing.currency())) {
                throw new IllegalArgumentException("The catalog is in " + pricing.currency()
                        + " (tollgate.pricing.currency); capacity of " + row.backendId() + "/" + row.deployment()
                        + " is in " + row.currency());
            }
        }
        int added = 0;
        Instant earliest = null;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (CapacityRow row : rows) {
                    bind(insert, row);
                    if (insert.executeUpdate() == 1) {
                        added++;
                        earliest = earliest == null || row.effectiveFrom().isBefore(earliest) ? row.effectiveFrom() : earliest;
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return new AddResult(added, rows.size() - added, Optional.ofNullable(earliest));
    }

    /** The whole catalog, oldest first. */
    public CapacityCatalog catalog() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return catalog(connection);
        }
    }

    static CapacityCatalog catalog(Connection connection) throws SQLException {
        List<Capacity> rows = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("select id, " + COLUMNS + " from capacity order by id");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                rows.add(new Capacity(result.getLong("id"), new CapacityRow(result.getString("backend_id"),
                        result.getString("deployment"), result.getString("model"),
                        DeploymentType.parse(result.getString("deployment_type")), result.getInt("ptu"),
                        Billing.parse(result.getString("billing")), result.getString("currency"),
                        result.getBigDecimal("amount"), Policy.parse(result.getString("policy")),
                        result.getString("idle_owner"),
                        result.getObject("effective_from", OffsetDateTime.class).toInstant(),
                        Optional.ofNullable(result.getObject("effective_to", OffsetDateTime.class))
                                .map(OffsetDateTime::toInstant),
                        result.getString("source"))));
            }
        }
        return new CapacityCatalog(rows);
    }

    private static void bind(PreparedStatement insert, CapacityRow row) throws SQLException {
        insert.setString(1, row.backendId());
        insert.setString(2, row.deployment());
        insert.setString(3, row.model());
        insert.setString(4, row.deploymentType().key());
        insert.setInt(5, row.ptu());
        insert.setString(6, row.billing().key());
        insert.setString(7, row.currency());
        insert.setBigDecimal(8, row.amount());
        insert.setString(9, row.policy().key());
        insert.setString(10, row.idleOwner());
        insert.setObject(11, row.effectiveFrom().atOffset(ZoneOffset.UTC));
        if (row.effectiveTo().isPresent()) {
            insert.setObject(12, row.effectiveTo().get().atOffset(ZoneOffset.UTC));
        } else {
            insert.setNull(12, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        insert.setString(13, row.source());
    }
}
