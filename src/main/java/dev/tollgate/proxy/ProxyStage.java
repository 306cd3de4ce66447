package dev.tollgate.proxy;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.metering.MeteringStage;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.request.RequestReader;
import dev.tollgate.request.RequestStage;
import dev.tollgate.routing.Pool;
import dev.tollgate.routing.PoolRegistry;
import dev.tollgate.routing.Target;
import dev.tollgate.routing.TargetSelector;
import dev.tollgate.routing.credentials.CredentialUnavailableException;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The last stage of the request path, routing and proxy: the pool serving the deployment, a target from it, the request
 * forwarded with the backend's credentials, and on a 429, 5xx or failure before anything reached the caller, the next
 * target; the answer is then relayed ({@link AnswerRelay}). Runs entirely on the event loop: every step is a callback.
 */
@Singleton
public class ProxyStage {

    private static final Logger LOG = Logger.getLogger(ProxyStage.class);

    private final PoolRegistry pools;
    private final TargetSelector selector;
    private final UpstreamClient upstream;
    private final RequestReader reader;
    private final AnswerRelay relay;
    private final AttemptTracing tracing;
    private final MeteringStage metering;
    private final ProxyConfig config;
    private final Vertx vertx;

    public ProxyStage(PoolRegistry pools, TargetSelector selector, UpstreamClient upstream, RequestReader reader,
                      AnswerRelay relay, AttemptTracing tracing, MeteringStage metering, ProxyConfig config,
                      Vertx vertx) {
        this.pools = pools;
        this.selector = selector;
        this.upstream = upstream;
        this.reader = reader;
        this.relay = relay;
        this.tracing = tracing;
        this.metering = metering;
        this.config = config;
        this.vertx = vertx;
    }

    public boolean enter(RoutingContext context) {
        InboundRequest request = RequestStage.request(context);
        Optional<Pool> pool = pools.pool(request.deployment());
        if (pool.isEmpty()) {
            metering.reject(context, new GatewayException(ErrorCode.DEPLOYMENT_NOT_FOUND, "The API deployment '"
                    + request.deployment() + "' is not served by this gateway."));
            return false;
        }
        Exchange exchange = new Exchange(context, MeteringStage.meter(context), request, pool.get());
        // A caller that leaves must not keep a backend generating tokens for nobody.
        context.response().closeHandler(closed -> {
            if (!context.response().ended() && metering.callerGone(exchange.meter)) {
                exchange.cancelDeadline(vertx);
                if (exchange.upstreamRequest() != null) {
                    exchange.upstreamRequest().reset();
                }
            }
        });
        Optional<Target> first = selector.choose(exchange.pool, exchange.tried());
        if (first.isEmpty()) {
            allParked(exchange);
        } else {
            send(exchange, first.get());
        }
        return true;
    }

    /** One attempt: the request to one target. */
    private void send(Exchange exchange, Target target) {
        exchange.attempt(target, tracing.start(exchange.trace, target, exchange.attempts() + 1));
        upstream.open(target, exchange.request, exchange.context.request().headers(),
                        headers -> tracing.inject(exchange.attemptSpan(), headers))
                .compose(request -> {
                    exchange.upstreamRequest(request);
                    exchange.deadline(vertx, upstream.requestTimeout(target), request::reset);
                    return request.send(reader.bodyFor(exchange.request, target.upstreamDeployment()));
                })
                .onSuccess(response -> answered(exchange, target, response))
                .onFailure(failure -> attemptFailed(exchange, target, failure));
    }

    /**
     * The target answered. A 429 or 5xx is not passed on while another target may still answer: nothing has reached
     * the caller yet, so the request goes to the next usable target, within the attempt budget.
     */
    private void answered(Exchange exchange, Target target, HttpClientResponse response) {
        Pool pool = exchange.pool;
        int status = response.statusCode();
        AttemptTracing.answered(exchange.attemptSpan(), status);
        if (status == 429) {
            selector.throttled(pool, target, response.headers());
        } else if (status >= 500) {
            selector.failed(pool, target, status);
        } else {
            selector.succeeded(pool, target, status, response.headers(), exchange.sinceAttemptStarted());
        }
        if ((status == 429 || status >= 500) && !exchange.meter.finished()) {
            Optional<Target> next = nextTarget(exchange);
            // Out of targets because all are parked: the gateway says when to come back. Out of attempts while some
            // target is still usable: the backend's own answer is passed on, below.
            boolean allParked = next.isEmpty() && status == 429 && selector.nanosUntilUsable(pool) > 0;
            if (next.isPresent() || allParked) {
                // Read and drop the body, so the connection goes back to the pool.
                response.body();
                exchange.attemptSpan().end();
                if (next.isPresent()) {
                    LOG.debugf("Backend %s answered %d to request %s; trying %s", target, status,
                            exchange.meter.id(), next.get());
                    exchange.meter.refused(target, status);
                    send(exchange, next.get());
                } else {
                    allParked(exchange);
                }
                return;
            }
        }
        relay.relay(exchange, response);
    }

    private void attemptFailed(Exchange exchange, Target target, Throwable failure) {
        AttemptTracing.failed(exchange.attemptSpan(), failure);
        if (exchange.meter.finished()) {
            return; // the caller left first and the gateway reset the upstream request itself
        }
        if (failure instanceof ConnectionPoolTooBusyException) {
            // Too many requests waiting for a connection is the gateway's overload, not the backend's failure.
            selector.notSent(exchange.pool, target);
        } else {
            selector.failed(exchange.pool, target, 0);
        }
        LOG.warnf("Backend %s failed request %s: %s", target, exchange.meter.id(), failure.getMessage());
        Optional<Target> next = nextTarget(exchange);
        if (next.isPresent()) {
            exchange.meter.refused(target, 0);
            send(exchange, next.get());
        } else {
            reject(exchange, exchange.deadlinePassed()
                    ? new GatewayException(ErrorCode.GATEWAY_TIMEOUT, "The backend did not finish its answer in time.")
                    : upstreamFailure(failure));
        }
    }

    /** The next target to try, within the attempt budget and the overall deadline (the proxy's request timeout). */
    private Optional<Target> nextTarget(Exchange exchange) {
        boolean withinBudget = exchange.attempts() < config.maxAttempts()
                && exchange.elapsedNanos() < config.requestTimeout().toNanos();
        return withinBudget ? selector.choose(exchange.pool, exchange.tried()) : Optional.empty();
    }

    /** No target may take the request now: answer as a throttled AOAI deployment would, with when to come back. */
    private void allParked(Exchange exchange) {
        long nanos = selector.nanosUntilUsable(exchange.pool);
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + TimeUnit.SECONDS.toNanos(1) - 1));
        exchange.context.response().putHeader("retry-after", String.valueOf(seconds))
                .putHeader("retry-after-ms", String.valueOf(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos))));
        reject(exchange, new GatewayException(ErrorCode.TOO_MANY_REQUESTS, "Every backend serving '"
                + exchange.pool.deployment() + "' is throttled or unavailable. Please retry after " + seconds
                + " seconds."));
    }

    private void reject(Exchange exchange, GatewayException error) {
        exchange.cancelDeadline(vertx);
        metering.reject(exchange.context, error);
    }

    private static GatewayException upstreamFailure(Throwable failure) {
        if (failure instanceof TimeoutException) {
            // How Vert.x signals the idle timeout: nothing came from the backend in time.
            return new GatewayException(ErrorCode.GATEWAY_TIMEOUT, "The backend did not answer in time.");
        }
        if (failure instanceof CredentialUnavailableException) {
            return new GatewayException(ErrorCode.BAD_GATEWAY,
                    "The gateway could not authenticate to the backend (Entra ID token unavailable).");
        }
        if (failure instanceof ConnectionPoolTooBusyException) {
            return new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "Too many requests are waiting for a connection to the backend; retry shortly.");
        }
        return new GatewayException(ErrorCode.BAD_GATEWAY, "The backend could not be reached.");
    }
}
