package dev.tollgate.capacity;

import dev.tollgate.seeding.SeedFile;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.SQLException;

/**
 * Loads {@link CapacityConfig#seedFiles()} into the capacity catalog at start-up, as the price files are loaded: rows
 * already there are skipped; a file that cannot be read stops the start (capacity silently missing would leave its
 * cost unallocated). The background allocation picks the new rows' hours up on its next run.
 */
@ApplicationScoped
public class CapacitySeeder {

    private static final Logger LOG = Logger.getLogger(CapacitySeeder.class);

    private final CapacityConfig config;
    private final CapacityStore store;

    public CapacitySeeder(CapacityConfig config, CapacityStore store) {
        this.config = config;
        this.store = store;
    }

    /** Loads the configured capacity files: at start, once the database is reachable. */
    public void seedConfigured() throws SQLException {
        for (String file : config.seedFiles()) {
            if (file.isBlank() || file.equals("none")) {
                continue;
            }
            String text = SeedFile.read(file, "Capacity file", "tollgate.capacity.seed-files");
            CapacityStore.AddResult result;
            try {
                result = store.add(CapacityFile.read(new StringReader(text),
                        "file:" + file.substring(file.lastIndexOf('/') + 1), config.idleOwner()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read capacity file " + file + " (tollgate.capacity.seed-files)", e);
            }
            LOG.infof("Capacity file %s: %d rows added, %d already in the catalog", file, result.added(),
                    result.alreadyPresent());
        }
    }
}
