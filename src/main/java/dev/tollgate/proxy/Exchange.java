package dev.tollgate.proxy;

import dev.tollgate.identity.Caller;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageTap;
import dev.tollgate.routing.Target;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The state of one request as it crosses the gateway, on one event-loop thread. It yields its usage record exactly
 * once, whichever way the request ends (answered, rejected, upstream failure, client gone).
 */
final class Exchange {

    final UUID id = RequestIds.next();
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final Caller caller;
    private final String askedDeployment;
    private final String operationPath;
    private InboundRequest request;
    private final Set<Target> tried = new HashSet<>(4);
    private Target target;
    private HttpClientRequest upstreamRequest;
    private long deadlineTimer = -1;
    private long attemptStartNanos;
    private boolean deadlinePassed;
    private String upstreamRequestId;
    private int upstreamStatus;
    private UsageTap tap;
    private boolean recorded;

    /** The deployment recorded for a request rejected before its body named one. */
    static final String UNKNOWN_DEPLOYMENT = "(unknown)";

    Exchange(Caller caller, String askedDeployment, String operationPath) {
        this.caller = caller;
        // A path segment is recorded only if it can be a deployment name: it ends up in the database and metrics.
        this.askedDeployment = RequestReader.isDeploymentName(askedDeployment) ? askedDeployment : UNKNOWN_DEPLOYMENT;
        this.operationPath = operationPath;
    }

    void request(InboundRequest request) {
        this.request = request;
    }

    InboundRequest request() {
        return request;
    }

    /** The request is being sent to this target (its first or a further attempt). */
    void attempt(Target target) {
        this.attemptStartNanos = System.nanoTime();
        this.deadlinePassed = false;
        this.target = target;
        this.tried.add(target);
        this.upstreamRequest = null;
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

    /** Runs the action if the current attempt is still going after that long; replaces an earlier deadline. */
    void deadline(Vertx vertx, Duration timeout, Runnable action) {
        cancelDeadline(vertx);
        HttpClientRequest attempt = upstreamRequest;
        deadlineTimer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (!recorded && upstreamRequest == attempt) {
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

    Target target() {
        return target;
    }

    /** The backend's answer has begun: its status, and the tap its body goes through. */
    void answering(int status, UsageTap tap) {
        this.upstreamStatus = status;
        this.tap = tap;
    }

    int upstreamStatus() {
        return upstreamStatus;
    }

    /** The tap of the answer, or null before the backend answered. */
    UsageTap tap() {
        return tap;
    }

    void upstreamRequestId(String upstreamRequestId) {
        this.upstreamRequestId = upstreamRequestId;
    }

    boolean finished() {
        return recorded;
    }

    /** The record of this request, or null if it was already taken. */
    UsageRecord finish(int status, Usage usage, String model) {
        if (recorded) {
            return null;
        }
        recorded = true;
        int latencyMs = (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String deployment = request != null ? request.deployment() : askedDeployment;
        return new UsageRecord(id, startedAt, caller.appId(), caller.tenantId(), deployment, model,
                target == null ? null : target.backend().id(),
                target == null ? null : target.backend().region().orElse(null),
                target == null ? null : target.deploymentType(),
                request != null ? request.operation().path() : operationPath,
                request != null && request.stream(), status, latencyMs, tried.size(), usage, upstreamRequestId);
    }
}
