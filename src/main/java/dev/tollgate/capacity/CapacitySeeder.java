package dev.tollgate.capacity;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Loads {@link CapacityConfig#seedFiles()} into the capacity catalog at start-up, as the price files are loaded: rows
 * already there are skipped; a file that cannot be read stops the start (capacity silently missing would leave its
 * cost unallocated). The background allocation picks the new rows' hours up on its next run.
 */
@ApplicationScoped
public class CapacitySeeder {

    private static final Logger LOG = Logger.getLogger(CapacitySeeder.class);
    private static final String CLASSPATH = "classpath:";

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
            CapacityStore.AddResult result;
            try (Reader reader = open(file)) {
                result = store.add(CapacityFile.read(reader, "file:" + file.substring(file.lastIndexOf('/') + 1),
                        config.idleOwner()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read capacity file " + file + " (tollgate.capacity.seed-files)", e);
            }
            LOG.infof("Capacity file %s: %d rows added, %d already in the catalog", file, result.added(),
                    result.alreadyPresent());
        }
    }

    private static Reader open(String file) throws IOException {
        if (file.startsWith(CLASSPATH)) {
            InputStream stream = CapacitySeeder.class.getClassLoader().getResourceAsStream(file.substring(CLASSPATH.length()));
            if (stream == null) {
                throw new IOException("no such resource");
            }
            return new InputStreamReader(stream, StandardCharsets.UTF_8);
        }
        return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    }
}
