package dev.tollgate.proxy;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.ErrorWriter;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Caller;
import dev.tollgate.identity.CallerResolver;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.TokenEstimator;
import dev.tollgate.metering.UsageRecorder;
import dev.tollgate.metering.UsageTap;
import dev.tollgate.metering.UsageTaps;
import dev.tollgate.routing.Pool;
import dev.tollgate.routing.PoolRegistry;
import dev.tollgate.routing.Target;
import dev.tollgate.routing.TargetSelector;
import dev.tollgate.routing.credentials.CredentialUnavailableException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Forwards one caller request to a backend and streams the answer back as it arrives, metering it on the way. Runs
 * entirely on the event loop: every step is a callback, nothing blocks.
 */
@ApplicationScoped
public class ProxyHandler {

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);
    static final String REQUEST_ID = "x-request-id";
    /** Recorded when the caller closed the connection before its answer was complete (nginx's convention). */
    static final int CALLER_LEFT = 499;

    private final CallerResolver callers;
    private final RequestReader reader;
    private final PoolRegistry pools;
    private final TargetSelector selector;
    private final UpstreamClient upstream;
    private final ProxyConfig config;
    private final Vertx vertx;
    private final TokenEstimator estimator;
    private final UsageRecorder recorder;
    private final ErrorWriter errors;
    private final UsageTaps taps;

    public ProxyHandler(CallerResolver callers, RequestReader reader, PoolRegistry pools, TargetSelector selector,
                        UpstreamClient upstream, ProxyConfig config, UsageRecorder recorder, ErrorWriter errors,
                        UsageTaps taps, Vertx vertx, TokenEstimator estimator) {
        this.vertx = vertx;
        this.estimator = estimator;
        this.selector = selector;
        this.config = config;
        this.callers = callers;
        this.reader = reader;
        this.pools = pools;
        this.upstream = upstream;
        this.recorder = recorder;
        this.errors = errors;
        this.taps = taps;
    }

    /**
     * @param pathDeployment the deployment named in the path, null on the v1 path
     * @param operationPath  what follows the deployment (or {@code /openai/v1/}) in the path
     */
    void handle(RoutingContext context, InboundRequest.PathStyle style, String pathDeployment, String operationPath) {
        Caller caller;
        try {
            caller = callers.resolve(context);
        } catch (GatewayException e) {
            // Nobody to charge: an unauthenticated request is refused before it is metered.
            if (e.code() == ErrorCode.UNAUTHORIZED) {
                context.response().putHeader("WWW-Authenticate", "Bearer");
            }
            errors.send(context.response(), e);
            return;
        }
        if (!recorder.hasRoomForMore()) {
            // Nothing is forwarded, so nothing is consumed and there is nothing to record.
            context.response().putHeader("retry-after", "1");
            errors.send(context.response(), new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The gateway cannot meter more requests right now; retry shortly."));
            return;
        }
        Exchange exchange = new Exchange(caller, pathDeployment, operationPath);
        context.response().putHeader(REQUEST_ID, exchange.id.toString());
        Pool pool;
        try {
            exchange.request(reader.read(style, pathDeployment, operationPath, context.body().buffer(),
                    context.request().query()));
            pool = pools.pool(exchange.request().deployment()).orElseThrow(() -> new GatewayException(
                    ErrorCode.DEPLOYMENT_NOT_FOUND, "The API deployment '" + exchange.request().deployment()
                    + "' is not served by this gateway."));
        } catch (GatewayException e) {
            reject(context, exchange, e);
            return;
        }
        // A caller that leaves must not keep a backend generating tokens for nobody.
        context.response().closeHandler(closed -> {
            if (!context.response().ended()) {
                callerGone(exchange);
            }
        });
        Optional<Target> first = selector.choose(pool, exchange.tried());
        if (first.isEmpty()) {
            allParked(context, exchange, pool);
            return;
        }
        send(context, exchange, pool, first.get());
    }

    /** One attempt: the request to one target. */
    private void send(RoutingContext context, Exchange exchange, Pool pool, Target target) {
        exchange.attempt(target);
        upstream.open(target, exchange.request(), context.request().headers())
                .compose(request -> {
                    exchange.upstreamRequest(request);
                    exchange.deadline(vertx, upstream.requestTimeout(target), request::reset);
                    return request.send(reader.bodyFor(exchange.request(), target));
                })
                .onSuccess(response -> answered(context, exchange, pool, target, response))
                .onFailure(failure -> attemptFailed(context, exchange, pool, target, failure));
    }

    /**
     * The target answered. A 429 or 5xx is not passed on while another target may still answer: nothing has reached
     * the caller yet, so the request goes to the next usable target, within the attempt budget.
     */
    private void answered(RoutingContext context, Exchange exchange, Pool pool, Target target,
                          HttpClientResponse response) {
        int status = response.statusCode();
        if (status == 429) {
            selector.throttled(pool, target, response.headers());
        } else if (status >= 500) {
            selector.failed(pool, target, status);
        } else {
            selector.succeeded(pool, target, status, response.headers(), exchange.sinceAttemptStarted());
        }
        if ((status == 429 || status >= 500) && !exchange.finished()) {
            Optional<Target> next = nextTarget(exchange, pool);
            // Out of targets because all are parked: the gateway says when to come back. Out of attempts while some
            // target is still usable: the backend's own answer is passed on, below.
            boolean allParked = next.isEmpty() && status == 429 && selector.nanosUntilUsable(pool) > 0;
            if (next.isPresent() || allParked) {
                // Read and drop the body, so the connection goes back to the pool.
                response.body();
                if (next.isPresent()) {
                    LOG.debugf("Backend %s answered %d to request %s; trying %s", target, status, exchange.id, next.get());
                    send(context, exchange, pool, next.get());
                } else {
                    allParked(context, exchange, pool);
                }
                return;
            }
        }
        relay(context, exchange, response);
    }

    private void attemptFailed(RoutingContext context, Exchange exchange, Pool pool, Target target, Throwable failure) {
        if (exchange.finished()) {
            return; // the caller left first and the gateway reset the upstream request itself
        }
        if (!(failure instanceof ConnectionPoolTooBusyException)) {
            // Too many requests waiting for a connection is the gateway's overload, not the backend's failure.
            selector.failed(pool, target, 0);
        }
        LOG.warnf("Backend %s failed request %s: %s", target, exchange.id, failure.getMessage());
        Optional<Target> next = nextTarget(exchange, pool);
        if (next.isPresent()) {
            send(context, exchange, pool, next.get());
        } else {
            reject(context, exchange, exchange.deadlinePassed()
                    ? new GatewayException(ErrorCode.GATEWAY_TIMEOUT, "The backend did not finish its answer in time.")
                    : upstreamFailure(failure));
        }
    }

    /** The next target to try, within the attempt budget and the overall deadline (the proxy's request timeout). */
    private Optional<Target> nextTarget(Exchange exchange, Pool pool) {
        boolean withinBudget = exchange.attempts() < config.maxAttempts()
                && exchange.elapsedNanos() < config.requestTimeout().toNanos();
        return withinBudget ? selector.choose(pool, exchange.tried()) : Optional.empty();
    }

    /** No target may take the request now: answer as a throttled AOAI deployment would, with when to come back. */
    private void allParked(RoutingContext context, Exchange exchange, Pool pool) {
        long nanos = selector.nanosUntilUsable(pool);
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + TimeUnit.SECONDS.toNanos(1) - 1));
        context.response().putHeader("retry-after", String.valueOf(seconds))
                .putHeader("retry-after-ms", String.valueOf(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos))));
        reject(context, exchange, new GatewayException(ErrorCode.TOO_MANY_REQUESTS, "Every backend serving '"
                + pool.deployment() + "' is throttled or unavailable. Please retry after " + seconds + " seconds."));
    }

    private void relay(RoutingContext context, Exchange exchange, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = context.response();
        exchange.upstreamRequestId(upstreamResponse.getHeader("apim-request-id"));
        response.setStatusCode(upstreamResponse.statusCode());
        HeaderPolicy.copyResponseHeaders(upstreamResponse.headers(), response.headers());
        String contentType = Optional.ofNullable(upstreamResponse.getHeader("content-type")).orElse("");
        boolean eventStream = contentType.startsWith("text/event-stream");
        UsageTap tap = taps.forAnswer(exchange.request().operation().path(), contentType,
                exchange.request().usageInjected());
        exchange.answering(upstreamResponse.statusCode(), tap);
        String length = upstreamResponse.getHeader("content-length");
        if (!eventStream && length != null) {
            // A JSON body passes byte for byte: its length holds.
            response.putHeader("content-length", length);
        } else {
            response.setChunked(true);
        }
        upstreamResponse.handler(chunk -> {
            if (response.closed()) {
                return;
            }
            Buffer forward = tap.onChunk(chunk);
            if (forward.length() > 0) {
                response.write(forward);
            }
            if (response.writeQueueFull()) {
                // Back-pressure: a slow caller slows the backend read instead of filling memory.
                upstreamResponse.pause();
                response.drainHandler(drained -> upstreamResponse.resume());
            }
        });
        upstreamResponse.endHandler(end -> {
            Buffer tail = tap.onEnd();
            // Recorded before the response ends: over HTTP/2, ending the stream also fires its close handler.
            record(exchange, upstreamResponse.statusCode(), tap);
            if (!response.closed()) {
                response.end(tail);
            }
        });
        upstreamResponse.exceptionHandler(failure -> {
            if (exchange.finished()) {
                return; // the caller left and the gateway itself reset the upstream request
            }
            LOG.warnf("Backend %s broke off the answer to request %s: %s",
                    exchange.target().backend().id(), exchange.id, failure.getMessage());
            record(exchange, upstreamResponse.statusCode(), tap);
            // Pass the break on: ending cleanly would tell the caller the answer was complete. A reset closes an
            // HTTP/1.1 connection but only this stream of an HTTP/2 one.
            response.reset();
        });
    }

    private void record(Exchange exchange, int status, UsageTap tap) {
        if (status >= 400 || tap.usage().isPresent()) {
            Usage usage = status >= 400 ? Usage.none() : tap.usage().get();
            offer(exchange, exchange.finish(status, usage, tap.model().orElse(null)));
        } else {
            estimated(exchange, status, tap);
        }
    }

    /**
     * A successful answer without usage (a stream cut off, a caller gone): it consumed tokens all the same, so the
     * record carries an estimate, counted with the model's tokenizer on a worker thread (the text can be long).
     */
    private void estimated(Exchange exchange, int status, UsageTap tap) {
        String model = tap == null ? null : tap.model().orElse(null);
        UsageRecord record = exchange.finish(status, Usage.missing(), model);
        if (record == null) {
            return;
        }
        exchange.cancelDeadline(vertx);
        // Read here, on the event loop that feeds the tap (a late chunk may still arrive): a one-off cost in proportion
        // to the stream, paid only by requests that need an estimate; the tokenizer runs on a worker.
        String output = tap == null ? "" : tap.outputText();
        String encodingModel = model != null ? model : record.deployment();
        vertx.executeBlocking(() -> estimator.estimate(exchange.request().json(), output, encodingModel), false)
                .onComplete(estimate -> recorder.offer(estimate.succeeded() ? record.withUsage(estimate.result()) : record));
    }

    /**
     * The caller's connection closed before the gateway ended its answer. If the usage block already went by, the
     * caller had the whole answer (it may close on the last byte, before the backend's end is read): record it as
     * served. Otherwise the caller left early: record 499 and stop the backend generating for nobody.
     */
    private void callerGone(Exchange exchange) {
        UsageTap tap = exchange.tap();
        if (tap != null && tap.usage().isPresent()) {
            record(exchange, exchange.upstreamStatus(), tap);
            return;
        }
        if (exchange.finished()) {
            return;
        }
        estimated(exchange, CALLER_LEFT, tap);
        LOG.infof("Caller left before the answer to request %s was complete", exchange.id);
        if (exchange.upstreamRequest() != null) {
            exchange.upstreamRequest().reset();
        }
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

    private void reject(RoutingContext context, Exchange exchange, GatewayException e) {
        errors.send(context.response(), e);
        offer(exchange, exchange.finish(e.code().status(), Usage.none(), null));
    }

    private void offer(Exchange exchange, UsageRecord record) {
        if (record != null) {
            exchange.cancelDeadline(vertx);
            recorder.offer(record);
        }
    }
}
