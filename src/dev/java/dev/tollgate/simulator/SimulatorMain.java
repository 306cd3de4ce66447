package dev.tollgate.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated Azure OpenAI backends as a standalone process, without Quarkus or CDI: for benchmarks (see
 * {@code bench/balancing.sh}) and for trying a packaged gateway against backends that throttle. Runs until killed;
 * on SIGTERM it writes its final counters and closes Vert.x.
 *
 * <pre>
 * java -cp 'target/quarkus-app/app/*:target/quarkus-app/lib/main/*:target/quarkus-app/lib/boot/*' \
 *      dev.tollgate.simulator.SimulatorMain --ports=19181,19182,19183 --tokens-per-minute=20000,0,0 \
 *      --first-byte-delay=20ms --chunk-delay=5ms --stats-file=/tmp/sim-stats.txt
 * </pre>
 *
 * Every option may also be given as a system property {@code tollgate.simulator.<option>} (same names as the in-app
 * simulator's configuration where they overlap); a command-line argument wins over the property.
 */
public final class SimulatorMain {

    private static final Logger LOG = Logger.getLogger(SimulatorMain.class);
    static final String PROPERTY_PREFIX = "tollgate.simulator.";
    private static final long LISTEN_TIMEOUT_SECONDS = 10;

    static final String USAGE = """
            Usage: SimulatorMain [--option=value ...]   (or -Dtollgate.simulator.<option>=value)
              --host=127.0.0.1                 interface to bind
              --ports=18081,18082,18083        one backend per port (0 = any free port)
              --names=sim1,sim2,...            backend names, default sim1..simN
              --regions=swedencentral,eastus2,francecentral   x-ms-region, cycled
              --api-key=sim-key                api-key the backends accept
              --tokens-per-minute=0            per backend, comma-separated, or one value for all; 0 = unlimited
              --first-byte-delay=20ms          time before the first byte of a successful answer
              --chunk-delay=10ms               pause between two server-sent events
              --stats-file=PATH                counters per backend, rewritten every stats-interval and on exit
              --stats-interval=1s
            Durations: 20ms, 1.5s, 2m, ISO-8601 (PT0.02S) or a plain number of milliseconds.""";

    /**
     * What to start.
     *
     * @param tokensPerMinute one value per port
     * @param statsFile       where to write the counters, if anywhere
     */
    record Options(String host, List<Integer> ports, List<String> names, List<String> regions, String apiKey,
                   List<Long> tokensPerMinute, Duration firstByteDelay, Duration chunkDelay, Optional<Path> statsFile,
                   Duration statsInterval) {

        private static final Set<String> KEYS = Set.of("host", "ports", "names", "regions", "api-key",
                "tokens-per-minute", "first-byte-delay", "chunk-delay", "stats-file", "stats-interval");

        /** Arguments ({@code --key=value}) over system properties ({@code tollgate.simulator.key}) over defaults. */
        static Options parse(String[] args, Properties properties) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : KEYS) {
                String property = properties.getProperty(PROPERTY_PREFIX + key);
                if (property != null) {
                    values.put(key, property);
                }
            }
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (!arg.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("Expected --option=value, got '" + arg + "'");
                }
                String key = arg.substring(2, eq);
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("Unknown option --" + key);
                }
                values.put(key, arg.substring(eq + 1));
            }

            List<Integer> ports = list(values.getOrDefault("ports", "18081,18082,18083")).stream()
                    .map(p -> parseInt(p, "ports")).toList();
            if (ports.isEmpty()) {
                throw new IllegalArgumentException("ports must list at least one port");
            }
            Set<Integer> distinct = new HashSet<>();
            for (int port : ports) {
                if (port < 0 || port > 65_535) {
                    throw new IllegalArgumentException("port must be 0..65535, was " + port);
                }
                // Two servers on one port of the same Vertx share it silently: two "backends" would be one.
                if (port != 0 && !distinct.add(port)) {
                    throw new IllegalArgumentException("ports lists port " + port + " twice: " + ports);
                }
            }
            List<String> names = new ArrayList<>();
            if (values.containsKey("names")) {
                names.addAll(list(values.get("names")));
                if (names.size() != ports.size()) {
                    throw new IllegalArgumentException("names must have one entry per port: " + names + " for " + ports);
                }
            } else {
                for (int i = 1; i <= ports.size(); i++) {
                    names.add("sim" + i);
                }
            }
            List<String> regions = list(values.getOrDefault("regions", "swedencentral,eastus2,francecentral"));
            if (regions.isEmpty()) {
                throw new IllegalArgumentException("regions must name at least one region");
            }
            List<Long> tpm = list(values.getOrDefault("tokens-per-minute", "0")).stream()
                    .map(v -> parseLong(v, "tokens-per-minute")).toList();
            if (tpm.size() == 1) {
                tpm = Collections.nCopies(ports.size(), tpm.get(0));
            } else if (tpm.size() != ports.size()) {
                throw new IllegalArgumentException("tokens-per-minute needs one value, or one per port (" + ports.size()
                        + "), got " + tpm);
            }
            if (tpm.stream().anyMatch(t -> t < 0)) {
                throw new IllegalArgumentException("tokens-per-minute must be >= 0 (0 = unlimited), got " + tpm);
            }
            String statsFile = values.getOrDefault("stats-file", "").trim();
            Duration interval = duration(values.getOrDefault("stats-interval", "1s"), "stats-interval");
            if (interval.isZero()) {
                throw new IllegalArgumentException("stats-interval must be positive");
            }
            return new Options(values.getOrDefault("host", "127.0.0.1"), ports, List.copyOf(names), regions,
                    values.getOrDefault("api-key", "sim-key"), List.copyOf(tpm),
                    duration(values.getOrDefault("first-byte-delay", "20ms"), "first-byte-delay"),
                    duration(values.getOrDefault("chunk-delay", "10ms"), "chunk-delay"),
                    statsFile.isEmpty() ? Optional.empty() : Optional.of(Path.of(statsFile)), interval);
        }

        private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

        static Duration duration(String value, String name) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            Matcher m = SHORT_DURATION.matcher(v);
            if (m.matches()) {
                double amount = Double.parseDouble(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                double millis = switch (unit) {
                    case "s" -> amount * 1_000;
                    case "m" -> amount * 60_000;
                    default -> amount;
                };
                return Duration.ofNanos(Math.round(millis * 1_000_000));
            }
            try {
                Duration parsed = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
                if (parsed.isNegative()) {
                    throw new IllegalArgumentException(name + " must not be negative, was " + value);
                }
                return parsed;
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(name + ": not a duration: '" + value + "' (use e.g. 20ms, 1s)");
            }
        }

        private static List<String> list(String value) {
            List<String> items = new ArrayList<>();
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
            return items;
        }

        private static int parseInt(String value, String name) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
            }
        }

        private static long parseLong(String value, String name) {
            try {
                return Long.parseLong(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
            }
        }
    }

    private final Options options;
    private final Vertx vertx;
    private final List<SimulatedBackend> backends;
    private ScheduledExecutorService statsWriter;

    private SimulatorMain(Options options, Vertx vertx, List<SimulatedBackend> backends) {
        this.options = options;
        this.vertx = vertx;
        this.backends = backends;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            LOG.info(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args, System.getProperties());
        } catch (IllegalArgumentException e) {
            LOG.errorf("%s%n%s", e.getMessage(), USAGE);
            System.exit(64);
            return;
        }
        Vertx vertx = Vertx.vertx();
        SimulatorMain running;
        try {
            running = start(options, vertx);
        } catch (IllegalStateException e) {
            LOG.error(e.getMessage());
            vertx.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "simulator-shutdown"));
        // Vert.x event-loop threads are not daemons: the JVM keeps running until killed.
    }

    /** Binds every backend (failing with the culprit port if one is taken) and starts the stats file, if any. */
    static SimulatorMain start(Options options, Vertx vertx) {
        List<SimulatedBackend> backends = new ArrayList<>();
        for (int i = 0; i < options.ports().size(); i++) {
            BackendDefaults defaults = new BackendDefaults(options.apiKey(), options.firstByteDelay(),
                    options.chunkDelay(), options.tokensPerMinute().get(i));
            backends.add(new SimulatedBackend(options.names().get(i), options.ports().get(i),
                    options.regions().get(i % options.regions().size()), defaults));
        }
        List<Future<SimulatedBackend>> started = backends.stream().map(b -> b.start(vertx, options.host())).toList();
        try {
            Future.join(started).toCompletionStage().toCompletableFuture().get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            backends.forEach(SimulatedBackend::stop);
            Throwable cause = started.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(e);
            throw new IllegalStateException("Could not start the simulated AOAI backends: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backends.forEach(SimulatedBackend::stop);
            throw new IllegalStateException("Interrupted while starting the simulated AOAI backends", e);
        }
        SimulatorMain main = new SimulatorMain(options, vertx, List.copyOf(backends));
        for (SimulatedBackend backend : backends) {
            long tpm = backend.tokensPerMinute();
            LOG.infof("%s listening on %s (region %s, tokens-per-minute %s, first byte %d ms, chunk %d ms)",
                    backend.name(), backend.url(), backend.region(), tpm == 0 ? "unlimited" : String.valueOf(tpm),
                    backend.firstByteDelay().toMillis(), backend.chunkDelay().toMillis());
        }
        options.statsFile().ifPresent(file -> main.startStatsWriter(file, options.statsInterval()));
        return main;
    }

    List<SimulatedBackend> backends() {
        return backends;
    }

    /**
     * One line per backend: name, port, tokens per minute, requests received, answered 2xx, answered otherwise. With
     * well-formed requests (right key, route and body) and no injected failures the last column is the 429s.
     */
    String stats() {
        StringBuilder text = new StringBuilder("# name port tokens-per-minute requests served-2xx not-2xx\n");
        for (SimulatedBackend backend : backends) {
            long requests = backend.requests();
            long served = backend.served();
            text.append(backend.name()).append(' ').append(backend.port()).append(' ')
                    .append(backend.tokensPerMinute()).append(' ').append(requests).append(' ')
                    .append(served).append(' ').append(Math.max(0, requests - served)).append('\n');
        }
        return text.toString();
    }

    private synchronized void startStatsWriter(Path file, Duration interval) {
        writeStats(file);
        statsWriter = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "simulator-stats");
            thread.setDaemon(true);
            return thread;
        });
        statsWriter.scheduleAtFixedRate(() -> writeStats(file), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Replaces the file atomically, so a reader never sees half a table. */
    private synchronized void writeStats(Path file) {
        try {
            Path absolute = file.toAbsolutePath();
            Path tmp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            Files.writeString(tmp, stats(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not write simulator stats to %s: %s", file, e.toString());
        }
    }

    /** Final counters to the stats file, then the servers and Vert.x closed (bounded wait: this runs on SIGTERM). */
    void stop() {
        ScheduledExecutorService writer;
        synchronized (this) {
            writer = statsWriter;
            statsWriter = null;
        }
        if (writer != null) {
            writer.shutdownNow();
            try {
                writer.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        options.statsFile().ifPresent(this::writeStats);
        try {
            Future.join(backends.stream().map(SimulatedBackend::stop).toList())
                    .compose(done -> vertx.close(), failed -> vertx.close())
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("Simulated AOAI backends did not stop cleanly: %s", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
