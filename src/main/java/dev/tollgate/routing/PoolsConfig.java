package dev.tollgate.routing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Explicit pools, keyed by the deployment name callers use, for what the backends' {@code deployments} lists cannot
 * say: priorities, weights, a strategy, a target that serves the name with another upstream deployment (fallback to
 * a larger model). A pool named here replaces the implicit round-robin pool of the same name.
 * <pre>
 * tollgate.pools.gpt-4o.strategy=priority
 * tollgate.pools.gpt-4o.targets[0].backend=swedencentral
 * tollgate.pools.gpt-4o.targets[1].backend=eastus2
 * tollgate.pools.gpt-4o.targets[2].backend=eastus2
 * tollgate.pools.gpt-4o.targets[2].deployment=gpt-4o-global
 * tollgate.pools.gpt-4o.targets[2].priority=2
 * </pre>
 */
@ConfigMapping(prefix = "tollgate.pools")
public interface PoolsConfig {

    @WithParentName
    Map<String, PoolConfig> all();

    interface PoolConfig {
        /** round-robin, weighted or priority. */
        @WithDefault("priority")
        Strategy strategy();

        List<TargetConfig> targets();
    }

    interface TargetConfig {
        /** A backend id from {@code tollgate.backends}. */
        String backend();

        /** The deployment to ask that backend for; defaults to the pool's name. */
        Optional<String> deployment();

        /** Lower is preferred (strategy priority). */
        @WithDefault("1")
        int priority();

        /** Share of traffic within its priority group (strategies weighted and priority). */
        @WithDefault("1")
        int weight();
    }
}
