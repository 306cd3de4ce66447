package dev.tollgate.routing;

import dev.tollgate.routing.credentials.Credentials;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pools, one per deployment name: an implicit round-robin pool for each name in the backends' {@code deployments}
 * lists, replaced by the explicit pool of the same name where {@code tollgate.pools} has one. Built at start-up, and
 * again whenever the routing file changes ({@link RoutingReloader}): the new set replaces the old one at once, requests
 * in flight keep the pool they started with, and targets that remain keep their live state (parked, breaker). A
 * gateway with no backend refuses to start rather than answer 404 to everything.
 */
@Startup
@Singleton
public class PoolRegistry {

    private final TargetMetrics metrics;
    private volatile Map<String, Pool> pools;

    public PoolRegistry(BackendsConfig backends, PoolsConfig explicit, TargetMetrics metrics) {
        this.metrics = metrics;
        this.pools = build(backends, explicit, Map.of());
        pools.values().forEach(metrics::register);
    }

    /** Replaces every pool with those of this configuration; throws, changing nothing, if it is not usable. */
    public synchronized void replace(BackendsConfig backends, PoolsConfig explicit) {
        Map<String, Pool> next = build(backends, explicit, pools);
        java.util.Set<TargetState> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        next.values().forEach(pool -> pool.targets().forEach(target -> kept.add(target.state())));
        pools.values().forEach(pool -> pool.targets().stream().filter(target -> !kept.contains(target.state()))
                .forEach(target -> metrics.unregister(pool, target)));
        next.values().forEach(metrics::register);
        pools = next;
    }

    public Optional<Pool> pool(String deployment) {
        return Optional.ofNullable(pools.get(deployment));
    }

    public Collection<Pool> pools() {
        return pools.values();
    }

    private static Map<String, Pool> build(BackendsConfig config, PoolsConfig explicit, Map<String, Pool> previous) {
        if (config.all().isEmpty()) {
            throw new IllegalStateException("No backends are configured: set tollgate.backends.<id>.url, .api-key "
                    + "and .deployments for at least one Azure OpenAI instance (see docs/configuration.md).");
        }
        // Sorted by id so that round-robin order is the same on every replica and every start.
        Map<String, Backend> backends = new TreeMap<>();
        config.all().forEach((id, b) -> backends.put(id, new Backend(id, b.url(), Credentials.of(id, b), b.region(),
                b.deploymentType(), Map.copyOf(b.deploymentTypes()),
                b.connectTimeout(), b.idleTimeout(), b.requestTimeout(), b.probe().path().map(path ->
                        new Backend.HealthProbe(path, b.probe().interval(), b.probe().timeout())), b.resourceId())));

        Map<String, List<Target>> implicit = new LinkedHashMap<>();
        backends.forEach((id, backend) -> {
            for (String deployment : config.all().get(id).deployments().orElse(List.of())) {
                implicit.computeIfAbsent(deployment, d -> new ArrayList<>()).add(new Target(backend, deployment, 1, 1,
                        previousState(previous, deployment, backend, deployment)));
            }
        });
        Map<String, Pool> pools = new LinkedHashMap<>();
        implicit.forEach((deployment, targets) ->
                pools.put(deployment, new Pool(deployment, targets, Strategy.ROUND_ROBIN)));
        explicit.all().forEach((deployment, pool) ->
                pools.put(deployment, explicitPool(deployment, pool, backends, previous)));
        return Collections.unmodifiableMap(pools);
    }

    private static Pool explicitPool(String deployment, PoolsConfig.PoolConfig pool, Map<String, Backend> backends,
                                     Map<String, Pool> previous) {
        List<Target> targets = new ArrayList<>();
        for (PoolsConfig.TargetConfig target : pool.targets()) {
            Backend backend = backends.get(target.backend());
            if (backend == null) {
                throw new IllegalStateException("Pool " + deployment + " names backend '" + target.backend()
                        + "', which tollgate.backends does not define.");
            }
            String upstream = target.deployment().orElse(deployment);
            targets.add(new Target(backend, upstream, target.priority(), target.weight(),
                    previousState(previous, deployment, backend, upstream)));
        }
        return new Pool(deployment, targets, pool.strategy());
    }

    /** The live state of the same target (pool, backend at the same URL, upstream deployment) before a reload. */
    private static TargetState previousState(Map<String, Pool> previous, String pool, Backend backend, String upstream) {
        Pool before = previous.get(pool);
        if (before != null) {
            for (Target target : before.targets()) {
                if (target.backend().id().equals(backend.id()) && target.backend().url().equals(backend.url())
                        && target.upstreamDeployment().equals(upstream)) {
                    return target.state();
                }
            }
        }
        return new TargetState();
    }
}
