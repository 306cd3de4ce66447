package dev.tollgate.finops;

import dev.tollgate.routing.PoolRegistry;
import dev.tollgate.routing.Target;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.Map;

/**
 * The Azure resource id of each backend, as routing is configured now ({@code tollgate.backends.<id>.resource-id},
 * the routing file included). Usage records name their backend by id, so a backend's resource id applies to all its
 * usage, past included.
 */
@ApplicationScoped
public class BackendResources {

    private final PoolRegistry registry;

    public BackendResources(PoolRegistry registry) {
        this.registry = registry;
    }

    /** Backend id → resource id as configured, for the backends that have one. */
    public Map<String, String> byBackend() {
        Map<String, String> resources = new HashMap<>();
        registry.pools().forEach(pool -> pool.targets().stream().map(Target::backend).forEach(backend ->
                backend.resourceId().ifPresent(id -> resources.put(backend.id(), id))));
        return resources;
    }
}
