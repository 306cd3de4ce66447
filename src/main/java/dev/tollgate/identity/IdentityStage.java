package dev.tollgate.identity;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.ErrorWriter;
import dev.tollgate.errors.GatewayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The first stage of the request path: who is calling. Quarkus security has already validated the token (proactive
 * authentication, {@link CachingJwtParser}); this stage turns it into the {@link Caller} the later stages charge, or
 * refuses the request. A refused request is not metered: there is nobody to charge.
 */
@ApplicationScoped
public class IdentityStage {

    private static final String CALLER = "tollgate.caller";

    private final CallerResolver callers;
    private final ErrorWriter errors;
    private final Counter unauthenticated;

    public IdentityStage(CallerResolver callers, ErrorWriter errors, MeterRegistry registry) {
        this.callers = callers;
        this.errors = errors;
        // A refused caller is not metered: this counter is where 401s show (with those of RouterFailureHandler).
        this.unauthenticated = registry.counter("tollgate.gateway.refused", "reason", "unauthenticated");
    }

    public boolean enter(RoutingContext context) {
        try {
            context.put(CALLER, callers.resolve(context));
            return true;
        } catch (GatewayException e) {
            if (e.code() == ErrorCode.UNAUTHORIZED) {
                unauthenticated.increment();
                context.response().putHeader("WWW-Authenticate", "Bearer");
            }
            errors.send(context.response(), e);
            return false;
        }
    }

    /** The caller this stage established for the request. */
    public static Caller caller(RoutingContext context) {
        return context.get(CALLER);
    }
}
