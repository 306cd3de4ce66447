package dev.tollgate.admin;

import dev.tollgate.identity.Roles;
import dev.tollgate.routing.Pool;
import dev.tollgate.routing.PoolRegistry;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.routing.RoutingConfig;
import dev.tollgate.routing.RoutingReloader;
import dev.tollgate.routing.Target;
import dev.tollgate.routing.TargetState;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The live state of every pool's targets on this replica (balancing state is per replica): parked, breaker,
 * reported capacity, latency.
 */
@Path("/api/backends")
@Produces(MediaType.APPLICATION_JSON)
public class BackendsResource {

    /** The role a token must carry for the admin APIs. */

    private final PoolRegistry pools;
    private final RoutingConfig config;
    private final RoutingReloader reloader;

    public BackendsResource(PoolRegistry pools, RoutingConfig config, RoutingReloader reloader) {
        this.pools = pools;
        this.config = config;
        this.reloader = reloader;
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Each pool's targets and their live state on this replica")
    public List<PoolView> backends() {
        long now = System.nanoTime();
        return pools.pools().stream().map(pool -> view(pool, now)).toList();
    }

    @POST
    @Path("/reload")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Apply the routing file now (it is also checked periodically); answers the new pools")
    public List<PoolView> reload() {
        try {
            reloader.reload();
        } catch (RuntimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "Routing unchanged: " + e.getMessage());
        }
        return backends();
    }

    private PoolView view(Pool pool, long now) {
        return new PoolView(pool.deployment(), pool.strategy().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                pool.targets().stream().map(target -> view(target, now)).toList());
    }

    private TargetView view(Target target, long now) {
        TargetState state = target.state();
        long parkedMs = TimeUnit.NANOSECONDS.toMillis(state.parkedForNanos(now));
        boolean breakerOpen = state.breakerOpen(config.breakerFailureThreshold());
        String status = breakerOpen ? (parkedMs > 0 ? "breaker-open" : "half-open") : parkedMs > 0 ? "throttled" : "usable";
        return new TargetView(target.backend().id(), target.backend().url().toString(),
                target.backend().region().orElse(null), target.upstreamDeployment(), target.priority(),
                target.weight(), status, parkedMs, state.consecutiveFailures(), state.remainingTokens(now),
                state.remainingRequests(now), TimeUnit.NANOSECONDS.toMillis(state.latencyNanos()));
    }

    /** A pool: the deployment name callers use, its strategy and its targets. */
    public record PoolView(String deployment, String strategy, List<TargetView> targets) {
    }

    /**
     * One target's live state.
     *
     * @param status            usable, throttled (parked after a 429), breaker-open, half-open (one trial allowed)
     * @param parkedForMs       milliseconds until it takes requests again
     * @param remainingTokens   last reported x-ratelimit-remaining-tokens, -1 if unknown or older than a minute
     * @param remainingRequests likewise for requests
     * @param latencyMs         recent time to first byte (exponentially weighted)
     */
    public record TargetView(String backend, String url, String region, String upstreamDeployment, int priority,
                             int weight, String status, long parkedForMs, int consecutiveFailures,
                             long remainingTokens, long remainingRequests, long latencyMs) {
    }
}
