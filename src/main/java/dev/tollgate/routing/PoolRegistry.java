package dev.tollgate.routing;

import dev.tollgate.routing.credentials.Credentials;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The pools, one per deployment name, built at start-up: an implicit round-robin pool for each name in the backends'
 * {@code deployments} lists, replaced by the explicit pool of the same name where {@code tollgate.pools} has one. A
 * gateway with no backend refuses to start rather than answer 404 to everything.
 */
@Startup
@ApplicationScoped
public class PoolRegistry {

    private final Map<String, Pool> pools;

    public PoolRegistry(BackendsConfig backends, PoolsConfig explicit, TargetMetrics metrics) {
        this.pools = build(backends, explicit);
        pools.values().forEach(metrics::register);
    }

    public Optional<Pool> pool(String deployment) {
        return Optional.ofNullable(pools.get(deployment));
    }

    public Collection<Pool> pools() {
        return pools.values();
    }

    private static Map<String, Pool> build(BackendsConfig config, PoolsConfig explicit) {
        if (config.all().isEmpty()) {
            throw new IllegalStateException("No backends are configured: set tollgate.backends.<id>.url, .api-key "
                    + "and .deployments for at least one Azure OpenAI instance (see docs/configuration.md).");
        }
        // Sorted by id so that round-robin order is the same on every replica and every start.
        Map<String, Backend> backends = new TreeMap<>();
        config.all().forEach((id, b) -> backends.put(id, new Backend(id, b.url(), Credentials.of(id, b), b.region(),
                b.connectTimeout(), b.idleTimeout(), b.requestTimeout())));

        Map<String, List<Target>> implicit = new LinkedHashMap<>();
        backends.forEach((id, backend) -> {
            for (String deployment : config.all().get(id).deployments().orElse(List.of())) {
                implicit.computeIfAbsent(deployment, d -> new ArrayList<>()).add(new Target(backend, deployment, 1, 1));
            }
        });
        Map<String, Pool> pools = new LinkedHashMap<>();
        implicit.forEach((deployment, targets) ->
                pools.put(deployment, new Pool(deployment, targets, Strategy.ROUND_ROBIN)));
        explicit.all().forEach((deployment, pool) -> pools.put(deployment, explicitPool(deployment, pool, backends)));
        return Collections.unmodifiableMap(pools);
    }

    private static Pool explicitPool(String deployment, PoolsConfig.PoolConfig pool, Map<String, Backend> backends) {
        List<Target> targets = new ArrayList<>();
        for (PoolsConfig.TargetConfig target : pool.targets()) {
            Backend backend = backends.get(target.backend());
            if (backend == null) {
                throw new IllegalStateException("Pool " + deployment + " names backend '" + target.backend()
                        + "', which tollgate.backends does not define.");
            }
            targets.add(new Target(backend, target.deployment().orElse(deployment), target.priority(), target.weight()));
        }
        return new Pool(deployment, targets, pool.strategy());
    }
}
