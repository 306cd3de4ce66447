package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code price} table. Plain JDBC: the writer reads the catalog on its own connection, inside the transaction that
 * prices and stores a batch, so a batch is priced with the catalog that was committed when it was written.
 */
@ApplicationScoped
public class PriceStore {

    private static final String COLUMNS = "model, model_version, deployment_type, region, currency, input_per_1m, "
            + "cached_input_per_1m, output_per_1m, effective_from, effective_to, source, meter_ids";
    private static final String INSERT = "insert into price (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "on conflict do nothing";
    /**
     * For the check below. Of a row many records name, PostgreSQL expects a sequential scan to meet one at once, but
     * if only the newer records name it, the scan first reads every older one. The index ({@code V4}) answers at once.
     */
    static final String INDEX_LOOKUP_ONLY = "set local enable_seqscan = off";
    /** Whether any record names the price row: answered from the index {@code usage_record_price_id}. */
    static final String PRICED_A_RECORD = "select exists (select 1 from usage_record where price_id = ?)";

    private final DataSource dataSource;
    private final PricingConfig config;

    public PriceStore(DataSource dataSource, PricingConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    /** How many rows were new and how many were in the catalog already (same model, version, type, region, start). */
    public record AddResult(int added, int alreadyPresent) {
    }

    /** Adds the rows in one transaction: all or none. Rows already in the catalog are skipped. */
    public AddResult add(List<PriceRow> rows) throws SQLException {
        for (PriceRow row : rows) {
            if (!row.currency().equals(config.currency())) {
                throw new InvalidPriceFileException("The catalog is in " + config.currency() + " (tollgate.pricing.currency); "
                        + "a price for " + row.model() + " is in " + row.currency());
            }
        }
        int added = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (PriceRow row : rows) {
                    bind(insert, row);
                    added += insert.executeUpdate();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return new AddResult(added, rows.size() - added);
    }

    /** The whole catalog, oldest first. */
    public List<Price> all() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return all(connection);
        }
    }

    /**
     * Removes a row that never priced a record; false if there is no such row.
     *
     * @throws PriceInUseException if a usage record names it
     */
    public boolean delete(long id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement bump = connection.prepareStatement(
                         "update price_catalog_version set version = version + 1");
                 PreparedStatement indexOnly = connection.prepareStatement(INDEX_LOOKUP_ONLY);
                 PreparedStatement used = connection.prepareStatement(PRICED_A_RECORD);
                 PreparedStatement delete = connection.prepareStatement("delete from price where id = ?")) {
                // Waits for the batches being priced (they share this row) and holds back new ones: the check
                // below then sees every record that could name the row, and must be quick.
                bump.executeUpdate();
                indexOnly.execute();
                used.setLong(1, id);
                try (ResultSet result = used.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        throw new PriceInUseException(id);
                    }
                }
                delete.setLong(1, id);
                boolean deleted = delete.executeUpdate() == 1;
                connection.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** The catalog's version, read for share: held to the caller's commit (see {@link PriceCatalogCache}). */
    static long version(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select version from price_catalog_version for share");
             ResultSet result = query.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    static List<Price> all(Connection connection) throws SQLException {
        List<Price> prices = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("select id, " + COLUMNS + " from price order by id");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                prices.add(new Price(rows.getLong("id"), new PriceRow(rows.getString("model"),
                        Optional.ofNullable(rows.getString("model_version")),
                        DeploymentType.parse(rows.getString("deployment_type")),
                        Optional.ofNullable(rows.getString("region")), rows.getString("currency"),
                        rows.getBigDecimal("input_per_1m"),
                        Optional.ofNullable(rows.getBigDecimal("cached_input_per_1m")),
                        rows.getBigDecimal("output_per_1m"),
                        rows.getObject("effective_from", OffsetDateTime.class).toInstant(),
                        Optional.ofNullable(rows.getObject("effective_to", OffsetDateTime.class))
                                .map(OffsetDateTime::toInstant),
                        rows.getString("source"), Optional.ofNullable(rows.getString("meter_ids")))));
            }
        }
        return prices;
    }

    private static void bind(PreparedStatement insert, PriceRow row) throws SQLException {
        insert.setString(1, row.model());
        insert.setString(2, row.modelVersion().orElse(null));
        insert.setString(3, row.deploymentType().key());
        insert.setString(4, row.region().orElse(null));
        insert.setString(5, row.currency());
        insert.setBigDecimal(6, row.inputPer1m());
        decimal(insert, 7, row.cachedInputPer1m());
        insert.setBigDecimal(8, row.outputPer1m());
        insert.setObject(9, row.effectiveFrom().atOffset(ZoneOffset.UTC));
        if (row.effectiveTo().isPresent()) {
            insert.setObject(10, row.effectiveTo().get().atOffset(ZoneOffset.UTC));
        } else {
            insert.setNull(10, Types.TIMESTAMP_WITH_TIMEZONE);
        }
        insert.setString(11, row.source());
        insert.setString(12, row.meterIds().orElse(null));
    }

    private static void decimal(PreparedStatement statement, int index, Optional<BigDecimal> value) throws SQLException {
        if (value.isPresent()) {
            statement.setBigDecimal(index, value.get());
        } else {
            statement.setNull(index, Types.NUMERIC);
        }
    }
}
