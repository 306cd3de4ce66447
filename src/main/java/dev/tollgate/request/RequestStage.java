package dev.tollgate.request;

import dev.tollgate.errors.GatewayException;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.MeteringStage;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The stage of the request path that reads what is asked: the operation and deployment (from the path, or the body's
 * {@code model}), whether it streams; a body the gateway cannot forward is refused here with a 400 or 404, recorded.
 */
@Singleton
public class RequestStage {

    private static final String REQUEST = "tollgate.request";

    private final RequestReader reader;
    private final MeteringStage metering;

    public RequestStage(RequestReader reader, MeteringStage metering) {
        this.reader = reader;
        this.metering = metering;
    }

    /** The paths this stage reads requests from (Vert.x route patterns). */
    public static List<String> routes() {
        return RequestPath.ROUTES;
    }

    public boolean enter(RoutingContext context) {
        RequestPath path = RequestPath.of(context.normalizedPath());
        Meter meter = MeteringStage.meter(context);
        // A path segment is recorded only if it can be a deployment name: it ends up in the database and metrics.
        meter.asked(RequestReader.isDeploymentName(path.deployment()) ? path.deployment() : null, path.operation());
        try {
            InboundRequest request = reader.read(path.style(), path.deployment(), path.operation(),
                    context.body().buffer(), context.request().query());
            meter.asked(request.deployment(), request.operation().path(), request.stream(), request.body(),
                    request.tokens().quickPrompt());
            context.put(REQUEST, request);
            return true;
        } catch (GatewayException e) {
            metering.reject(context, e);
            return false;
        }
    }

    /** The request this stage read. */
    public static InboundRequest request(RoutingContext context) {
        return context.get(REQUEST);
    }
}
