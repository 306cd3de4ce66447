package dev.tollgate.gateway;

import dev.tollgate.metering.Meter;
import dev.tollgate.metering.MeteringStage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

/**
 * A span per stage of the request path, under the request's server span (which Quarkus opens from the caller's
 * {@code traceparent}, if any). When tracing is off there is no valid server span, and a stage runs bare.
 */
@Singleton
class StageTracing {

    static final String REQUEST_ID = "tollgate.request_id";
    static final String APP_ID = "tollgate.app_id";

    private final Tracer tracer;

    StageTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /**
     * Runs the stage, in a span of its own when the request is traced (ended when the stage has decided); returns what
     * the stage returned.
     */
    Future<Boolean> enter(GatewayRoutes.Stage stage, RoutingContext context) {
        Span request = Span.current();
        if (!request.getSpanContext().isValid()) {
            return stage.step().enter(context);
        }
        boolean named = MeteringStage.meter(context) != null;
        Span span = tracer.spanBuilder(stage.name()).startSpan();
        Future<Boolean> passed;
        try (Scope ignored = span.makeCurrent()) {
            passed = stage.step().enter(context);
        } catch (RuntimeException e) {
            span.end();
            throw e;
        } finally {
            if (!named) {
                describe(request, context);
            }
        }
        if (passed.isComplete()) {
            end(span, passed, context);
        } else {
            passed.onComplete(decided -> end(span, decided, context));
        }
        return passed;
    }

    private static void end(Span span, AsyncResult<Boolean> passed, RoutingContext context) {
        if (passed.failed()) {
            span.recordException(passed.cause());
            span.setStatus(StatusCode.ERROR);
        } else if (!passed.result()) {
            span.setStatus(StatusCode.ERROR, "refused with " + context.response().getStatusCode());
        }
        span.end();
    }

    /** Names the request on its server span once, as soon as the metering stage gave it an id. */
    private static void describe(Span request, RoutingContext context) {
        Meter meter = MeteringStage.meter(context);
        if (meter != null) {
            request.setAttribute(REQUEST_ID, meter.id().toString());
            request.setAttribute(APP_ID, meter.caller().appId());
        }
    }
}
