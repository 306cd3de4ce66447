package dev.tollgate.routing;

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
 * The pools, one per deployment name, built from the backends configuration at start-up; a gateway with no backend
 * refuses to start rather than answer 404 to everything.
 */
@Startup
@ApplicationScoped
public class PoolRegistry {

    private final Map<String, Pool> pools;

    public PoolRegistry(BackendsConfig config) {
        this.pools = build(config);
    }

    public Optional<Pool> pool(String deployment) {
        return Optional.ofNullable(pools.get(deployment));
    }

    public Collection<Pool> pools() {
        return pools.values();
    }

    private static Map<String, Pool> build(BackendsConfig config) {
        if (config.all().isEmpty()) {
            throw new IllegalStateException("No backends are configured: set tollgate.backends.<id>.url, .api-key "
                    + "and .deployments for at least one Azure OpenAI instance (see docs/configuration.md).");
        }
        Map<String, List<Target>> targets = new LinkedHashMap<>();
        // Sorted by id so that round-robin order is the same on every replica and every start.
        new TreeMap<>(config.all()).forEach((id, backend) -> {
            Backend b = new Backend(id, backend.url(), backend.apiKey(), backend.region());
            for (String deployment : backend.deployments()) {
                targets.computeIfAbsent(deployment, d -> new ArrayList<>()).add(new Target(b, deployment));
            }
        });
        Map<String, Pool> pools = new LinkedHashMap<>();
        targets.forEach((deployment, list) -> pools.put(deployment, new Pool(deployment, list, new RoundRobinBalancer())));
        return Collections.unmodifiableMap(pools);
    }
}
