package dev.tollgate.routing;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Active health checks for the backends that configure one ({@code tollgate.backends.<id>.probe.path}): a GET with
 * the backend's credentials every interval. A failure (connection error, timeout, 5xx) counts against every target of
 * that backend like a failed request, so a dead backend's breaker opens before callers meet it; a success closes an
 * open breaker at once. A 4xx (429 included) says the backend is alive. Backends are taken from the current pools at
 * every tick, so a routing reload that adds, changes or removes a probed backend is followed.
 */
@ApplicationScoped
public class HealthProber {

    private static final Logger LOG = Logger.getLogger(HealthProber.class);
    private static final long TICK_MILLIS = 200;

    private final PoolRegistry registry;
    private final TargetSelector selector;
    private final Vertx vertx;
    private final HttpClient client;
    /** When each backend (by id) is due for its next probe, and the last outcome, so that only changes are logged. */
    private final Map<String, Long> dueNanos = new ConcurrentHashMap<>();
    private final Map<String, Boolean> lastHealthy = new ConcurrentHashMap<>();
    private long timer = -1;

    public HealthProber(PoolRegistry registry, TargetSelector selector, Vertx vertx) {
        this.registry = registry;
        this.selector = selector;
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(TICK_MILLIS, tick -> probeDue());
    }

    private void probeDue() {
        long now = System.nanoTime();
        for (Backend backend : probedBackends().values()) {
            Backend.HealthProbe probe = backend.probe().orElseThrow();
            Long due = dueNanos.get(backend.id());
            if (due == null || now - due >= 0) {
                dueNanos.put(backend.id(), now + probe.interval().toNanos());
                probe(backend, probe);
            }
        }
    }

    private Map<String, Backend> probedBackends() {
        Map<String, Backend> backends = new LinkedHashMap<>();
        for (Pool pool : registry.pools()) {
            for (Target target : pool.targets()) {
                if (target.backend().probe().isPresent()) {
                    backends.put(target.backend().id(), target.backend());
                }
            }
        }
        return backends;
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
                .onSuccess(response -> outcome(backend, response.statusCode() < 500, "status " + response.statusCode()))
                .onFailure(failure -> outcome(backend, false, failure.toString()));
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
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        client.close();
    }
}
