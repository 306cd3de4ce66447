package dev.tollgate.pricing;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * This replica's copy of the price catalog, checked against {@code price_catalog_version} (one row, bumped by a
 * trigger on every change) each time it is asked for, and reloaded only when that moved. Asking costs one indexed
 * read, cheap next to a batch of records; in exchange a price change made on any replica applies from the next batch.
 * The version row is read {@code for share}, held to the caller's commit: a price change waits for the batches being
 * priced, and batches wait for a price change, so no batch can name a price row deleted meanwhile.
 */
@ApplicationScoped
public class PriceCatalogCache {

    private volatile PriceCatalog current;

    /** The catalog as committed now, read on the caller's connection (and so inside its transaction). */
    public PriceCatalog current(Connection connection) throws SQLException {
        long version = PriceStore.version(connection);
        PriceCatalog catalog = current;
        if (catalog == null || catalog.version() != version) {
            catalog = new PriceCatalog(version, PriceStore.all(connection));
            current = catalog;
        }
        return catalog;
    }
}
