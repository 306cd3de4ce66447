package dev.tollgate.routing;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;

/**
 * Active health checks for the backends that configure one ({@code tollgate.backends.<id>.probe.path}): a GET with
 * the backend's credentials every interval. A failure (connection error, timeout, 5xx) counts against every target of
 * that backend like a failed request, so a dead backend's breaker opens before callers meet it; a success closes an
 * open breaker at once. A 429 says the backend is alive. Passive checks (real traffic) work without any of this.
 */
@ApplicationScoped
public class HealthProber {

    private static final Logger LOG = Logger.getLogger(HealthProber.class);

    private final PoolRegistry registry;
    private final TargetSelector selector;
    private final Vertx vertx;
    private final HttpClient client;
    private final Map<String, Long> timers = new HashMap<>();
    /** The last outcome per backend, so that only changes are logged. */
    private final Map<String, Boolean> lastHealthy = new java.util.concurrent.ConcurrentHashMap<>();

    public HealthProber(PoolRegistry registry, TargetSelector selector, Vertx vertx) {
        this.registry = registry;
        this.selector = selector;
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
    }

    void start(@Observes StartupEvent event) {
        for (Pool pool : registry.pools()) {
            for (Target target : pool.targets()) {
                Backend backend = target.backend();
                backend.probe().ifPresent(probe -> timers.computeIfAbsent(backend.id(), id ->
                        vertx.setPeriodic(probe.interval().toMillis(), tick -> probe(backend, probe))));
            }
        }
    }

    private void probe(Backend backend, Backend.HealthProbe probe) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
                .setAbsoluteURI(backend.url() + probe.path())
                .setConnectTimeout(probe.timeout().toMillis())
                .setIdleTimeout(probe.timeout().toMillis());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        backend.credential().authorize(headers)
                .compose(authorized -> client.request(options.setHeaders(headers)))
                .compose(request -> request.send().compose(response -> response.body().map(body -> response)))
                .onSuccess(response -> outcome(backend, healthy(response), "status " + response.statusCode()))
                .onFailure(failure -> outcome(backend, false, failure.toString()));
    }

    private static boolean healthy(HttpClientResponse response) {
        return response.statusCode() < 500;
    }

    private void outcome(Backend backend, boolean healthy, String detail) {
        Boolean before = lastHealthy.put(backend.id(), healthy);
        if (before == null ? !healthy : before != healthy) {
            if (healthy) {
                LOG.infof("Health probe of backend %s succeeds again (%s)", backend, detail);
            } else {
                LOG.warnf("Health probe of backend %s fails: %s", backend, detail);
            }
        }
        // Probe every current target on that backend: a reload may have changed the pools since the timer started.
        for (Pool pool : registry.pools()) {
            for (Target target : pool.targets()) {
                if (target.backend().id().equals(backend.id())) {
                    if (healthy) {
                        selector.probeSucceeded(target);
                    } else {
                        selector.probeFailed(target);
                    }
                }
            }
        }
    }

    @PreDestroy
    void stop() {
        timers.values().forEach(vertx::cancelTimer);
        client.close();
    }
}
