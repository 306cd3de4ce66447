package dev.tollgate.finops.reconciliation;

import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Uploaded cost exports and their charges (tables {@code reconciliation_import}, {@code reconciliation_charge}). */
@ApplicationScoped
public class ReconciliationStore {

    private static final String IMPORT_COLUMNS = "i.id, i.format, i.file_name, i.imported_at, i.imported_by, "
            + "i.currency, i.first_day, i.last_day, i.line_count, "
            + "(select coalesce(sum(c.cost), 0) from reconciliation_charge c where c.import_id = i.id) as billed_cost";

    private final DataSource dataSource;

    public ReconciliationStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Keeps the file and its charges, all or nothing. */
    public StoredImport save(CostExport export, String fileName, String importedBy, String content)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement insert = connection.prepareStatement("insert into reconciliation_import "
                        + "(format, file_name, imported_by, currency, first_day, last_day, line_count, content) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    insert.setString(1, export.format());
                    insert.setString(2, fileName);
                    insert.setString(3, importedBy);
                    insert.setString(4, export.currency());
                    insert.setObject(5, export.firstDay());
                    insert.setObject(6, export.lastDay());
                    insert.setInt(7, export.charges().size());
                    insert.setString(8, content);
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                }
                try (PreparedStatement insert = connection.prepareStatement("insert into reconciliation_charge "
                        + "(import_id, line, day, resource_id, charge_category, meter, quantity, unit, unit_size, cost) "
                        + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    for (BilledCharge charge : export.charges()) {
                        insert.setLong(1, id);
                        insert.setInt(2, charge.line());
                        insert.setObject(3, charge.day());
                        insert.setString(4, charge.resourceId());
                        insert.setString(5, charge.chargeCategory());
                        insert.setString(6, charge.meter());
                        insert.setBigDecimal(7, charge.quantity());
                        insert.setString(8, charge.unit());
                        insert.setBigDecimal(9, charge.unitSize());
                        insert.setBigDecimal(10, charge.cost());
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                connection.commit();
                return find(connection, id).orElseThrow();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** Every upload, newest first. */
    public List<StoredImport> all() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select " + IMPORT_COLUMNS
                     + " from reconciliation_import i order by i.id desc");
             ResultSet rows = query.executeQuery()) {
            List<StoredImport> imports = new ArrayList<>();
            while (rows.next()) {
                imports.add(read(rows));
            }
            return imports;
        }
    }

    /** The newest upload with charges in [from, to): the one a reconciliation of that period reads. */
    public Optional<StoredImport> latestCovering(LocalDate from, LocalDate to) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select " + IMPORT_COLUMNS
                     + " from reconciliation_import i where i.first_day < ? and i.last_day >= ? "
                     + "and exists (select 1 from reconciliation_charge c where c.import_id = i.id "
                     + "and c.day >= ? and c.day < ?) order by i.id desc limit 1")) {
            query.setObject(1, to);
            query.setObject(2, from);
            query.setObject(3, from);
            query.setObject(4, to);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    /** The upload's charges of [from, to), in file order. */
    public List<BilledCharge> charges(long importId, LocalDate from, LocalDate to) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select line, day, resource_id, charge_category, "
                     + "meter, quantity, unit, unit_size, cost from reconciliation_charge "
                     + "where import_id = ? and day >= ? and day < ? order by line")) {
            query.setLong(1, importId);
            query.setObject(2, from);
            query.setObject(3, to);
            try (ResultSet rows = query.executeQuery()) {
                List<BilledCharge> charges = new ArrayList<>();
                while (rows.next()) {
                    charges.add(new BilledCharge(rows.getInt(1), rows.getObject(2, LocalDate.class),
                            rows.getString(3), rows.getString(4), rows.getString(5), rows.getBigDecimal(6),
                            rows.getString(7), rows.getBigDecimal(8), rows.getBigDecimal(9)));
                }
                return charges;
            }
        }
    }

    private static Optional<StoredImport> find(Connection connection, long id) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select " + IMPORT_COLUMNS
                + " from reconciliation_import i where i.id = ?")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    private static StoredImport read(ResultSet row) throws SQLException {
        BigDecimal billed = row.getBigDecimal("billed_cost");
        Instant importedAt = row.getObject("imported_at", OffsetDateTime.class).toInstant();
        return new StoredImport(row.getLong("id"), row.getString("format"), row.getString("file_name"), importedAt,
                row.getString("imported_by"), row.getString("currency"), row.getObject("first_day", LocalDate.class),
                row.getObject("last_day", LocalDate.class), row.getInt("line_count"), billed);
    }
}
