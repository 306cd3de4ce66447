package dev.tollgate.errors;

import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;

/**
 * Catches what fails below Quarkus REST and the gateway handler: a body over the size limit, or an unexpected fault;
 * answers in the AOAI error shape instead of an HTML 500. (Bearer tokens are refused by the gateway's IdentityStage
 * and, authenticated lazily, by the REST APIs' own exception mappers.) A caller that closes or resets its connection
 * (as clients do when a 413 answers their upload) is no fault of the gateway, and there is no one left to answer.
 */
@ApplicationScoped
public class RouterFailureHandler {

    private static final Logger LOG = Logger.getLogger(RouterFailureHandler.class);

    private final ErrorWriter errors;

    public RouterFailureHandler(ErrorWriter errors) {
        this.errors = errors;
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::handle);
    }

    private void handle(RoutingContext context) {
        Throwable failure = context.failure();
        if (callerLeft(context)) {
            LOG.debugf(failure, "Caller left during %s %s", context.request().method(), context.normalizedPath());
        } else if (failure instanceof GatewayException gatewayException) {
            errors.send(context.response(), gatewayException);
        } else if (context.statusCode() == 413) {
            errors.send(context.response(), 413, ErrorCode.PAYLOAD_TOO_LARGE.with("The request body is too large."));
        } else if (context.statusCode() >= 400 && context.statusCode() < 500) {
            errors.send(context.response(), context.statusCode(),
                    AoaiError.of(String.valueOf(context.statusCode()), "The request was rejected."));
        } else {
            LOG.error("Request failed", failure);
            errors.send(context.response(), 500, ErrorCode.INTERNAL.with("The gateway failed to handle the request."));
        }
    }

    /**
     * The connection is gone, or the failure is the caller's connection closing or being reset. An I/O failure here
     * is always the caller's: the proxy handles those of backend connections itself.
     */
    private static boolean callerLeft(RoutingContext context) {
        Throwable failure = context.failure();
        return context.response().closed() || failure instanceof HttpClosedException || failure instanceof IOException;
    }
}
