package dev.tollgate.proxy;

import dev.tollgate.metering.Meter;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.routing.Pool;
import dev.tollgate.routing.Target;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The proxy's state of one request, on one event-loop thread: the pool and request it serves, the targets tried, the
 * current attempt and its deadline. What is recorded lives in the request's {@link Meter}.
 */
final class Exchange {

    final RoutingContext context;
    final Meter meter;
    final InboundRequest request;
    final Pool pool;
    /** The trace context of the proxy stage, the parent of each attempt's span. */
    final Context trace = Context.current();
    private final long startNanos = System.nanoTime();
    private final Set<Target> tried = new HashSet<>(4);
    private Target target;
    private HttpClientRequest upstreamRequest;
    private long deadlineTimer = -1;
    private long attemptStartNanos;
    private boolean deadlinePassed;
    private Span attemptSpan = Span.getInvalid();

    Exchange(RoutingContext context, Meter meter, InboundRequest request, Pool pool) {
        this.context = context;
        this.meter = meter;
        this.request = request;
        this.pool = pool;
    }

    /** The request is being sent to this target (its first or a further attempt), traced by that span. */
    void attempt(Target target, Span span) {
        this.attemptSpan = span;
        this.attemptStartNanos = System.nanoTime();
        this.deadlinePassed = false;
        this.target = target;
        this.tried.add(target);
        this.upstreamRequest = null;
        meter.attempt(target);
    }

    /** Time since the request arrived. */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** Time since the current attempt was sent. */
    long sinceAttemptStarted() {
        return System.nanoTime() - attemptStartNanos;
    }

    Set<Target> tried() {
        return tried;
    }

    int attempts() {
        return tried.size();
    }

    Target target() {
        return target;
    }

    /** The span of the current attempt (a no-op span when the request is not traced). */
    Span attemptSpan() {
        return attemptSpan;
    }

    /** Runs the action if the current attempt is still going after that long; replaces an earlier deadline. */
    void deadline(Vertx vertx, Duration timeout, Runnable action) {
        cancelDeadline(vertx);
        HttpClientRequest attempt = upstreamRequest;
        deadlineTimer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (!meter.finished() && upstreamRequest == attempt) {
                deadlinePassed = true;
                action.run();
            }
        });
    }

    /** Whether the current attempt was cut off by its deadline (the reset then reaches us as a generic failure). */
    boolean deadlinePassed() {
        return deadlinePassed;
    }

    void cancelDeadline(Vertx vertx) {
        if (deadlineTimer >= 0) {
            vertx.cancelTimer(deadlineTimer);
            deadlineTimer = -1;
        }
    }

    void upstreamRequest(HttpClientRequest request) {
        this.upstreamRequest = request;
    }

    /** The request of the current attempt, once open; null before. */
    HttpClientRequest upstreamRequest() {
        return upstreamRequest;
    }
}
