package dev.tollgate.simulator;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the simulated AOAI backends with the application when {@code tollgate.simulator.enabled=true}, so a newcomer
 * sees balancing and metering end to end in dev mode, and tests in the same JVM can inject this bean to steer them.
 */
@Startup
@ApplicationScoped
public class Simulator {

    private static final Logger LOG = Logger.getLogger(Simulator.class);
    /** Binding a loopback port takes milliseconds; anything near this long means something is badly wrong. */
    private static final long LISTEN_TIMEOUT_SECONDS = 10;

    private final Vertx vertx;
    private final SimulatorConfig config;
    private final List<SimulatedBackend> backends;

    public Simulator(Vertx vertx, SimulatorConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.backends = config.enabled() ? createBackends(config) : List.of();
    }

    /**
     * Binds all ports and waits for them, so the application fails to start (with the culprit port in the message)
     * rather than running with a backend missing. Runs on the startup thread, never an event loop, so waiting is safe.
     */
    @PostConstruct
    void start() {
        if (backends.isEmpty()) {
            return;
        }
        List<Future<SimulatedBackend>> started = new ArrayList<>();
        for (SimulatedBackend backend : backends) {
            started.add(backend.start(vertx, config.host()));
        }
        try {
            Future.join(started).toCompletionStage().toCompletableFuture()
                    .get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stop(); // release the ports that did bind, so a fixed configuration can be retried
            Throwable cause = started.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(e);
            throw new IllegalStateException("Could not start the simulated AOAI backends: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("Interrupted while starting the simulated AOAI backends", e);
        }
        for (SimulatedBackend backend : backends) {
            LOG.infof("Simulated AOAI backend %s listening on %s (region %s)", backend.name(), backend.url(),
                    backend.region());
        }
    }

    /**
     * Closes the servers on shutdown (not in {@code @PreDestroy}: by the time beans are destroyed Vert.x may be gone,
     * and dev-mode live reload must free the ports before the next start binds them again).
     */
    void onShutdown(@Observes ShutdownEvent event) {
        stop();
    }

    void stop() {
        List<Future<Void>> stopped = backends.stream().map(SimulatedBackend::stop).toList();
        try {
            Future.join(stopped).toCompletionStage().toCompletableFuture()
                    .get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf(e, "Simulated AOAI backends did not stop cleanly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The running backends in configuration order ({@code sim-1} first); empty when the simulator is disabled. */
    public List<SimulatedBackend> backends() {
        return backends;
    }

    /** The backend with that name, e.g. {@code sim-2}. */
    public SimulatedBackend backend(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No simulated backend named " + name
                        + (backends.isEmpty() ? " (tollgate.simulator.enabled is false)" : "; have " + names())));
    }

    /** Resets every backend to the configured behaviour; handy in a test's {@code @BeforeEach}. */
    public void resetAll() {
        backends.forEach(SimulatedBackend::reset);
    }

    private List<String> names() {
        return backends.stream().map(SimulatedBackend::name).toList();
    }

    private static List<SimulatedBackend> createBackends(SimulatorConfig config) {
        List<Integer> ports = config.ports();
        List<String> regions = config.regions();
        if (regions.isEmpty()) {
            throw new IllegalStateException("tollgate.simulator.regions must name at least one region");
        }
        Set<Integer> distinct = new HashSet<>();
        for (int port : ports) {
            // Two Vert.x servers on the same port of one Vertx instance share it silently instead of failing,
            // which would make two "backends" one; refuse that configuration up front.
            if (port != 0 && !distinct.add(port)) {
                throw new IllegalStateException("tollgate.simulator.ports lists port " + port + " twice: " + ports);
            }
        }
        BackendDefaults defaults = BackendDefaults.from(config);
        List<SimulatedBackend> created = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            created.add(new SimulatedBackend("sim-" + (i + 1), ports.get(i), regions.get(i % regions.size()), defaults));
        }
        return List.copyOf(created);
    }
}
