package dev.tollgate.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real processes for the fault scenarios, all on loopback: a PostgreSQL of its own (zonky, stopped and started at
 * will on the same port and data), the simulated backends (SimulatorMain) and the packaged gateway
 * (target/quarkus-app/quarkus-run.jar, production profile), each a child process that {@link #close()} stops.
 */
final class FaultHarness implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FaultHarness.class);

    static final String APP_JAR = "target/quarkus-app/quarkus-run.jar";
    private static final String CLASSPATH = "target/quarkus-app/app/*" + File.pathSeparator
            + "target/quarkus-app/lib/main/*" + File.pathSeparator + "target/quarkus-app/lib/boot/*";

    final Path work;
    /** Restarted on the same port: so taken where no outgoing connection can hold it while it is down. */
    final int databasePort = dev.tollgate.support.LoopbackPorts.outsideEphemeralRange();
    final int backendPort = freePort();
    final int gatewayPort = freePort();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    private EmbeddedPostgres database;

    FaultHarness(String scenario, String chunkDelay) throws IOException {
        this.work = Files.createDirectories(Path.of("target/it", scenario + "-" + System.nanoTime()));
        Process simulator = new ProcessBuilder("java", "-cp", CLASSPATH, "dev.tollgate.simulator.SimulatorMain",
                "--ports=" + backendPort, "--first-byte-delay=10ms", "--chunk-delay=" + chunkDelay)
                .redirectErrorStream(true).redirectOutput(work.resolve("simulator.log").toFile()).start();
        processes.add(simulator);
    }

    void startDatabase() throws IOException {
        database = EmbeddedPostgres.builder().setPort(databasePort).setDataDirectory(work.resolve("pg"))
                .setCleanDataDirectory(false).setRegisterShutdownHook(false)
                // 10 s by default: a restart on a busy CI machine has taken longer
                .setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    void stopDatabase() throws IOException {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    /** Starts the gateway and waits until it answers on its health endpoint. */
    Process startGateway(Map<String, String> settings) throws IOException, InterruptedException {
        return start(gatewayPort, "journal", settings);
    }

    /**
     * Starts one more gateway process on the same database and backend (another replica: its own port, journal and
     * log) and waits until it answers; the port it listens on.
     */
    int startReplica(String name, Map<String, String> settings) throws IOException, InterruptedException {
        int port = freePort();
        start(port, "journal-" + name, settings);
        return port;
    }

    private Process start(int port, String journal, Map<String, String> settings)
            throws IOException, InterruptedException {
        Map<String, String> properties = new HashMap<>(Map.of(
                "quarkus.http.port", String.valueOf(port),
                "quarkus.http.ssl-port", String.valueOf(freePort()),
                "tollgate.identity.key-location", Path.of("src/test/resources/keys/test-public.pem").toUri().toString(),
                "tollgate.identity.issuers", dev.tollgate.support.TestTokens.V1_ISSUER,
                "tollgate.identity.audiences", dev.tollgate.support.TestTokens.AUDIENCE,
                "tollgate.backends.sim.url", "http://127.0.0.1:" + backendPort,
                "tollgate.backends.sim.api-key", "sim-key",
                "tollgate.backends.sim.deployments", "gpt-4o",
                "tollgate.metering.journal-dir", work.resolve(journal).toString()));
        properties.putAll(settings);
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", APP_JAR));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("gateway-" + port + ".log").toFile()));
        builder.environment().put("TOLLGATE_DB_URL", "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres");
        Process process = builder.start();
        processes.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The gateway exited at start; see " + work);
            }
            try {
                if (get(port, "/q/health/live").statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("The gateway did not start in 60 s; see " + work);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return get(gatewayPort, path);
    }

    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest chat(String app, boolean stream, int maxTokens) {
        return chat(gatewayPort, app, stream, maxTokens);
    }

    HttpRequest chat(int port, String app, boolean stream, int maxTokens) {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Write about the sea and a lighthouse\"}],"
                + "\"max_tokens\":" + maxTokens + ",\"stream\":" + stream + "}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"))
                .header("Authorization", "Bearer " + dev.tollgate.support.TestTokens.v1(app))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres", "postgres",
                "postgres");
    }

    /**
     * The records of these ids, one entry per row (a doubled id would show twice): id, usage_source, status,
     * input_tokens, output_tokens.
     */
    List<String[]> rows(Collection<String> ids) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        if (ids.isEmpty()) {
            return rows;
        }
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select id, usage_source, status, input_tokens, output_tokens "
                     + "from usage_record where id in ('" + String.join("','", ids) + "')")) {
            while (result.next()) {
                rows.add(new String[] {result.getString(1), result.getString(2), result.getString(3),
                        result.getString(4), result.getString(5)});
            }
        }
        return rows;
    }

    /** The gateways' logs so far (every gateway of this scenario). */
    String gatewayLogs() throws IOException {
        StringBuilder logs = new StringBuilder();
        try (var listing = Files.newDirectoryStream(work, "gateway-*.log")) {
            for (Path log : listing) {
                logs.append(Files.readString(log));
            }
        }
        return logs.toString();
    }

    /** The journal's segment files left on disk. */
    List<Path> journalFiles() throws IOException {
        Path journal = work.resolve("journal");
        if (!Files.isDirectory(journal)) {
            return List.of();
        }
        try (var listing = Files.list(journal)) {
            return listing.toList();
        }
    }

    /** One line per scenario, the fault suite's figures. */
    static String figures(String scenario, Collection<String> served, List<String[]> rows) {
        long distinct = rows.stream().map(row -> row[0]).distinct().count();
        long found = rows.stream().map(row -> row[0]).filter(served::contains).distinct().count();
        long interrupted = rows.stream().filter(row -> row[1].equals("interrupted")).count();
        String line = String.format("FAULT-SUITE %-22s served=%d records=%d lost=%d doubled=%d interrupted=%d",
                scenario, served.size(), rows.size(), served.size() - found, rows.size() - distinct, interrupted);
        LOG.info(line);
        return line;
    }

    @Override
    public void close() throws IOException {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopDatabase();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
