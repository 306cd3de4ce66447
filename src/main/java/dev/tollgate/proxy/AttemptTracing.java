package dev.tollgate.proxy;

import dev.tollgate.routing.Target;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.MultiMap;
import jakarta.inject.Singleton;

/**
 * A span per upstream attempt (which target, which attempt, what status), under the request's span, and its
 * {@code traceparent} on the request to the backend, so that a trace follows a request through failovers into Azure.
 * When the request is not traced, nothing is created.
 */
@Singleton
public class AttemptTracing {

    public static final String BACKEND = "tollgate.backend";
    public static final String DEPLOYMENT = "tollgate.upstream_deployment";
    public static final String ATTEMPT = "tollgate.attempt";
    public static final String STATUS = "http.response.status_code";

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    AttemptTracing(Tracer tracer, OpenTelemetry openTelemetry) {
        this.tracer = tracer;
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    }

    /** The span of an attempt about to be sent; an invalid (no-op) span when the request is not traced. */
    Span start(Context request, Target target, int attempt) {
        if (!Span.fromContext(request).getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder("upstream " + target.backend().id()).setParent(request)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(BACKEND, target.backend().id())
                .setAttribute(DEPLOYMENT, target.upstreamDeployment())
                .setAttribute(ATTEMPT, attempt)
                .startSpan();
    }

    /** Puts the attempt's trace context on the request to the backend. */
    void inject(Span attempt, MultiMap headers) {
        if (attempt.getSpanContext().isValid()) {
            propagator.inject(Context.root().with(attempt), headers, MultiMap::set);
        }
    }

    /** The backend answered with that status; the span ends once the answer is over (or dropped for a retry). */
    static void answered(Span attempt, int status) {
        attempt.setAttribute(STATUS, status);
        if (status == 429 || status >= 500) {
            attempt.setStatus(StatusCode.ERROR, "backend answered " + status);
        }
    }

    static void failed(Span attempt, Throwable failure) {
        attempt.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        attempt.end();
    }
}
