package dev.tollgate.identity;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.ErrorWriter;
import dev.tollgate.errors.GatewayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who is calling, in two steps. {@link #authenticate} validates the bearer token before the request body is read,
 * so that a caller without a valid token never has it buffered, and finds the token's {@link Caller} (cached with
 * the token); {@link #enter}, the first stage of the chain, passes that caller on to the later stages, which charge
 * it, or refuses the request when the token names no application. A refused request is not metered: there is
 * nobody to charge.
 *
 * <p>The gateway validates the token itself with {@link CachingJwtParser} rather than through Quarkus' proactive
 * HTTP authentication (off: {@code quarkus.http.auth.proactive=false}, the REST APIs authenticate lazily): a token
 * seen before is a cache lookup on the event loop, where the security pipeline's Mutiny and context propagation
 * cost a quarter of the event loop's time (docs/performance.md). A new token is verified on a worker thread, since
 * its signing keys may have to be fetched (a JWKS URL); at most {@code max-verifications-in-flight} at once, past
 * which a request with a new token is refused with 503 and {@code retry-after} (docs/operations.md says why 503).
 */
@Singleton
public class IdentityStage {

    private static final Logger LOG = Logger.getLogger(IdentityStage.class);
    private static final String CALLER = "tollgate.caller";

    private final CachingJwtParser tokens;
    private final ErrorWriter errors;
    private final int maxVerifications;
    private final AtomicInteger verifications = new AtomicInteger();
    private final Counter unauthenticated;
    private final Counter verificationsFull;

    public IdentityStage(CachingJwtParser tokens, IdentityConfig config, ErrorWriter errors, MeterRegistry registry) {
        this.tokens = tokens;
        this.errors = errors;
        this.maxVerifications = config.maxVerificationsInFlight();
        // A refused caller is not metered: these counters are where its 401 or 503 shows.
        this.unauthenticated = registry.counter("tollgate.gateway.refused", "reason", "unauthenticated");
        this.verificationsFull = registry.counter("tollgate.gateway.refused", "reason", "verifications_full");
    }

    /** Ahead of the body: passes a request with a valid bearer token on to {@code next}, answers 401 otherwise. */
    public void authenticate(RoutingContext context, Handler<RoutingContext> next) {
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        Caller cached = authorization == null ? null : tokens.cached(authorization);
        if (cached != null) {
            pass(context, cached, next);
            return;
        }
        if (CachingJwtParser.bearerToken(authorization) == null) {
            refuse(context, "Access denied due to missing bearer token. "
                    + "Send an Entra ID access token as 'Authorization: Bearer <token>'.");
            return;
        }
        if (verifications.incrementAndGet() > maxVerifications) {
            verifications.decrementAndGet();
            verificationsFull.increment();
            context.response().putHeader("retry-after", "1");
            errors.send(context.response(), new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The gateway is verifying too many new tokens at once; retry shortly."));
            return;
        }
        // Held until the token is verified; the body handler resumes it.
        context.request().pause();
        context.vertx().<Caller>executeBlocking(() -> tokens.verify(authorization), false)
                .onComplete(verified -> {
                    verifications.decrementAndGet();
                    verified(context, verified, next);
                });
    }

    private void verified(RoutingContext context, AsyncResult<Caller> verified, Handler<RoutingContext> next) {
        if (verified.succeeded()) {
            pass(context, verified.result(), next);
            return;
        }
        // Nobody reads the body of a refused request: let it drain so that the connection can serve the next.
        context.request().resume();
        if (verified.cause() instanceof ParseException invalid) {
            LOG.debugf("Bearer token refused: %s", invalid.getMessage());
            refuse(context, "The bearer token is invalid: bad signature, wrong issuer or audience, or expired.");
        } else {
            context.fail(verified.cause());
        }
    }

    private static void pass(RoutingContext context, Caller caller, Handler<RoutingContext> next) {
        context.put(CALLER, caller);
        next.handle(context);
    }

    private void refuse(RoutingContext context, String message) {
        unauthenticated.increment();
        context.response().putHeader("WWW-Authenticate", "Bearer");
        errors.send(context.response(), new GatewayException(ErrorCode.UNAUTHORIZED, message));
    }

    /** The stage: passes the caller of the token {@link #authenticate} validated, or 403 when it names no app. */
    public boolean enter(RoutingContext context) {
        if (caller(context).appId() != null) {
            return true;
        }
        errors.send(context.response(), new GatewayException(ErrorCode.FORBIDDEN,
                "The token names no calling application (neither 'azp' nor 'appid' claim)."));
        return false;
    }

    /** The caller this stage established for the request. */
    public static Caller caller(RoutingContext context) {
        return context.get(CALLER);
    }
}
