package dev.tollgate.pricing;

import dev.tollgate.ledger.DailyRollup;
import dev.tollgate.routing.DeploymentType;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import javax.sql.DataSource;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Recomputes the cost of every record of a period with the catalog as it is now, after a price correction. Works in
 * chunks of records in time order, one transaction each: the chunk's rows are locked, the changed ones are taken out
 * of the daily rollups with their old cost, updated, and added back with the new one, so the rollups stay equal to
 * the records throughout. Running it twice changes nothing the second time.
 */
@ApplicationScoped
public class Repricer {

    private static final Logger LOG = Logger.getLogger(Repricer.class);
    private static final int CHUNK = 10_000;
    private static final String CHUNK_QUERY = "select id, occurred_at, model, deployment_type, region, input_tokens, "
            + "cached_input_tokens, output_tokens, price_id, cost from usage_record "
            + "where occurred_at >= ? and occurred_at < ? and (occurred_at, id) > (?, ?) "
            + "order by occurred_at, id limit " + CHUNK + " for update";
    private static final String CHANGED = "(select u.* from usage_record u join reprice_change c using (id))";

    private final DataSource dataSource;
    private final PriceCatalogCache prices;

    public Repricer(DataSource dataSource, PriceCatalogCache prices) {
        this.dataSource = dataSource;
        this.prices = prices;
    }

    /**
     * What a reprice did (or would do, for a dry run).
     *
     * @param records       records in the period
     * @param changed       records whose price row or cost changed
     * @param costBefore    the priced records' cost before
     * @param costAfter     and after
     * @param newlyPriced   records that had no price and now have one
     * @param newlyUnpriced records that had a price and now have none
     */
    public record Result(Instant from, Instant to, boolean dryRun, long records, long changed, BigDecimal costBefore,
                         BigDecimal costAfter, BigDecimal delta, long newlyPriced, long newlyUnpriced) {
    }

    public Result reprice(Instant from, Instant to, boolean dryRun) throws SQLException {
        Tally tally = new Tally();
        OffsetDateTime afterTime = from.atOffset(ZoneOffset.UTC);
        UUID afterId = new UUID(0, 0);
        boolean more = true;
        while (more) {
            Chunk chunk = chunk(from, to, afterTime, afterId, dryRun, tally);
            more = chunk.full();
            afterTime = chunk.lastTime();
            afterId = chunk.lastId();
        }
        Result result = new Result(from, to, dryRun, tally.records, tally.changed, tally.before, tally.after,
                tally.after.subtract(tally.before), tally.newlyPriced, tally.newlyUnpriced);
        LOG.infof("Reprice %s: %s", dryRun ? "(dry run)" : "", result);
        return result;
    }

    private Chunk chunk(Instant from, Instant to, OffsetDateTime afterTime, UUID afterId, boolean dryRun, Tally tally)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                PriceCatalog catalog = prices.current(connection);
                StringBuilder changes = new StringBuilder();
                int rows = 0;
                OffsetDateTime lastTime = afterTime;
                UUID lastId = afterId;
                try (PreparedStatement query = connection.prepareStatement(CHUNK_QUERY)) {
                    query.setObject(1, from.atOffset(ZoneOffset.UTC));
                    query.setObject(2, to.atOffset(ZoneOffset.UTC));
                    query.setObject(3, afterTime);
                    query.setObject(4, afterId);
                    try (ResultSet result = query.executeQuery()) {
                        while (result.next()) {
                            rows++;
                            lastTime = result.getObject("occurred_at", OffsetDateTime.class);
                            lastId = result.getObject("id", UUID.class);
                            Optional<Priced> changed = reprice(result, catalog, lastTime.toInstant(), tally);
                            if (changed.isPresent()) {
                                Priced p = changed.get();
                                changes.append(lastId).append(',').append(p.priceId() == null ? "" : p.priceId())
                                        .append(',').append(p.cost() == null ? "" : p.cost().toPlainString())
                                        .append('\n');
                            }
                        }
                    }
                }
                if (!changes.isEmpty()) {
                    apply(connection, changes.toString());
                }
                if (dryRun) {
                    connection.rollback();
                } else {
                    connection.commit();
                }
                return new Chunk(rows == CHUNK, lastTime, lastId);
            } catch (SQLException | IOException | RuntimeException e) {
                connection.rollback();
                throw e instanceof SQLException sql ? sql : new SQLException("Repricing failed", e);
            }
        }
    }

    /** The record's new price if it differs from the one it has. */
    private static Optional<Priced> reprice(ResultSet row, PriceCatalog catalog, Instant at, Tally tally)
            throws SQLException {
        String type = row.getString("deployment_type");
        Priced now = catalog.price(row.getString("model"), type == null ? null : DeploymentType.parse(type),
                row.getString("region"), at, new Tokens(row.getLong("input_tokens"),
                        row.getLong("cached_input_tokens"), row.getLong("output_tokens")));
        long oldPriceId = row.getLong("price_id");
        Long oldPrice = row.wasNull() ? null : oldPriceId;
        BigDecimal oldCost = row.getBigDecimal("cost");
        tally.records++;
        tally.before = tally.before.add(oldCost == null ? BigDecimal.ZERO : oldCost);
        tally.after = tally.after.add(now.cost() == null ? BigDecimal.ZERO : now.cost());
        boolean sameCost = oldCost == null ? now.cost() == null : now.cost() != null && oldCost.compareTo(now.cost()) == 0;
        if (sameCost && Objects.equals(oldPrice, now.priceId())) {
            return Optional.empty();
        }
        tally.changed++;
        if (oldCost == null && now.cost() != null) {
            tally.newlyPriced++;
        } else if (oldCost != null && now.cost() == null) {
            tally.newlyUnpriced++;
        }
        return Optional.of(now);
    }

    private static void apply(Connection connection, String changesCsv) throws SQLException, IOException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("create temp table if not exists reprice_change "
                    + "(id uuid primary key, price_id bigint, cost numeric) on commit delete rows");
            connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("copy reprice_change from stdin (format csv)", new StringReader(changesCsv));
            statement.executeUpdate(DailyRollup.upsert(CHANGED, -1));
            statement.executeUpdate("update usage_record u set price_id = c.price_id, cost = c.cost "
                    + "from reprice_change c where u.id = c.id");
            statement.executeUpdate(DailyRollup.upsert(CHANGED, 1));
        }
    }

    private record Chunk(boolean full, OffsetDateTime lastTime, UUID lastId) {
    }

    private static final class Tally {
        long records;
        long changed;
        long newlyPriced;
        long newlyUnpriced;
        BigDecimal before = BigDecimal.ZERO;
        BigDecimal after = BigDecimal.ZERO;
    }
}
