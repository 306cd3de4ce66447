package dev.tollgate.pricing;

import dev.tollgate.seeding.SeedFile;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.List;

/**
 * Loads {@link PricingConfig#seedFiles()} into the catalog at start-up. Rows already there are skipped, so this is
 * safe on every start and every replica; a file that cannot be read or parsed stops the start, because a catalog
 * silently missing its prices would report requests as unpriced.
 */
@ApplicationScoped
public class PriceSeeder {

    private static final Logger LOG = Logger.getLogger(PriceSeeder.class);

    private final PricingConfig config;
    private final PriceStore store;

    public PriceSeeder(PricingConfig config, PriceStore store) {
        this.config = config;
        this.store = store;
    }

    /** Loads the configured price files: at start, once the database is reachable. */
    public void seedConfigured() throws SQLException {
        for (String file : config.seedFiles()) {
            if (file.isBlank() || file.equals("none")) {
                continue;
            }
            PriceStore.AddResult result = store.add(read(file));
            LOG.infof("Price file %s: %d rows added, %d already in the catalog", file, result.added(),
                    result.alreadyPresent());
        }
    }

    public static List<PriceRow> read(String file) {
        String text = SeedFile.read(file, "Price file", "tollgate.pricing.seed-files");
        try {
            return PriceFile.read(new StringReader(text), "file:" + file.substring(file.lastIndexOf('/') + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read price file " + file + " (tollgate.pricing.seed-files)", e);
        }
    }
}
