package dev.tollgate.gateway;

import dev.tollgate.admission.AdmissionStage;
import dev.tollgate.identity.IdentityStage;
import dev.tollgate.metering.MeteringStage;
import dev.tollgate.proxy.ProxyConfig;
import dev.tollgate.proxy.ProxyStage;
import dev.tollgate.request.RequestStage;
import io.quarkus.vertx.http.runtime.security.SecurityHandlerPriorities;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.function.Predicate;

/**
 * The request path of the AOAI-compatible API, as a chain of stages, each in its own package, run in this order on
 * the event loop, each in a span of its own when the request is traced ({@link StageTracing}). A stage either passes
 * the request on ({@code true}) or has answered it ({@code false}: refused), nearly always at once; a stage that must
 * first do blocking work (admission recounting a prompt) hands it to a worker, and the chain goes on from the next
 * stage when its future completes, on the request's event loop. Read one request by reading {@link #chain}, then each
 * stage's package.
 *
 * <p>On the Vert.x router directly rather than through Quarkus REST: the proxy needs the raw request and response
 * streams, and nothing of REST's binding. The bearer token is validated by {@link IdentityStage#authenticate} ahead of
 * the body, not by Quarkus security (whose authentication is lazy, for the REST APIs only).
 */
@Singleton
public class GatewayRoutes {

    /**
     * Ahead of Quarkus security's handlers (authentication at -200, then the permission check at -100), which
     * otherwise ran on every gateway request for nothing (~2.6 % of the event loop, docs/performance.md): a gateway
     * route answers the request, so they never see it. Their routes still cover every other path, the REST APIs'
     * included. Behind CORS (-300); the upload limit (-2) is skipped too, the gateway's body handler has its own.
     */
    static final int ORDER = -SecurityHandlerPriorities.AUTHENTICATION - 1;
    private static final Future<Boolean> PASSED = Future.succeededFuture(true);
    private static final Future<Boolean> ANSWERED = Future.succeededFuture(false);

    private final IdentityStage identity;
    private final List<Stage> chain;
    private final StageTracing tracing;
    private final ProxyConfig config;

    public GatewayRoutes(IdentityStage identity, MeteringStage metering, RequestStage request,
                         AdmissionStage admission, ProxyStage proxy, StageTracing tracing, ProxyConfig config) {
        this.identity = identity;
        this.chain = List.of(
                // who is calling: the Caller (azp or appid of the token validated before the body), or 403, not metered
                new Stage("identity", now(identity::enter)),
                // the request's meter: from here on, exactly one usage record whatever happens; 503 when full
                new Stage("metering", now(metering::enter)),
                // what is asked: operation, deployment, stream, usage injection; 400/404
                new Stage("request", now(request::enter)),
                // whether this caller may spend it (a prompt to count for a refusal: on a worker)
                new Stage("admission", admission::enter),
                // routing and proxy: pool, target, forward, failover, the answer streamed back through the meter
                new Stage("proxy", now(proxy::enter)));
        this.tracing = tracing;
        this.config = config;
    }

    void register(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxRequestBodyBytes());
        for (String path : RequestStage.routes()) {
            // the token first (401 without reading the body), then the body, then the chain; one handler, because
            // Vert.x Web accepts no handler of ours ahead of a BodyHandler on a route
            router.post(path).order(ORDER).handler(context -> identity.authenticate(context, body)).handler(this::handle);
        }
    }

    private void handle(RoutingContext context) {
        proceed(context, 0);
    }

    /** Runs the chain from stage {@code from} on, until a stage answers the request or has yet to decide. */
    private void proceed(RoutingContext context, int from) {
        for (int i = from; i < chain.size(); i++) {
            Future<Boolean> passed = tracing.enter(chain.get(i), context);
            if (!passed.isComplete()) {
                int next = i + 1;
                passed.onSuccess(on -> {
                    if (on) {
                        proceed(context, next);
                    }
                }).onFailure(context::fail);
                return;
            }
            if (passed.failed()) {
                context.fail(passed.cause());
                return;
            }
            if (!passed.result()) {
                return;
            }
        }
    }

    /** A stage that decides at once. */
    private static Step now(Predicate<RoutingContext> step) {
        return context -> step.test(context) ? PASSED : ANSWERED;
    }

    /** One named step of the request path. */
    record Stage(String name, Step step) {
    }

    /** What a stage does with a request: pass it on (true), or answer it (false); now, or when the future completes. */
    @FunctionalInterface
    interface Step {
        Future<Boolean> enter(RoutingContext context);
    }
}
