package dev.tollgate.admission;

import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.IdentityStage;
import dev.tollgate.metering.Meter;
import dev.tollgate.metering.MeteringStage;
import dev.tollgate.metering.TokenizerThreads;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.request.RequestStage;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The admission stage of the request path, between reading the request and routing it: whether this caller may spend
 * what the request asks for ({@link Admission}, docs/admission.md). Decided on the event loop, but for a refusal on
 * tokens, which is first confirmed with the prompt counted by the tokenizer on one of its threads ({@link Recount}).
 *
 * <p>A refused request is answered here in the AOAI error shape, with {@code Retry-After} and {@code retry-after-ms}
 * when waiting helps, and recorded with the rule that refused it. An admitted one carries the caller's own remaining
 * {@code x-ratelimit-remaining-tokens} / {@code -requests} (the smaller of its own and the backend's, as the SDKs'
 * back-off reads them), and its ticket is settled with the request's final record.
 */
@Singleton
public class AdmissionStage {

    static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";
    static final String REMAINING_REQUESTS = "x-ratelimit-remaining-requests";
    private static final Logger LOG = Logger.getLogger(AdmissionStage.class);
    private static final Future<Boolean> PASSED = Future.succeededFuture(true);
    private static final Future<Boolean> ANSWERED = Future.succeededFuture(false);

    private final Admission admission;
    private final MeteringStage metering;
    private final TokenizerThreads tokenizer;

    public AdmissionStage(Admission admission, MeteringStage metering, TokenizerThreads tokenizer) {
        this.admission = admission;
        this.metering = metering;
        this.tokenizer = tokenizer;
    }

    /**
     * Passes the request on (true) or refuses it (false); at once, unless the prompt must be counted with the tokenizer
     * to confirm a refusal: then on a tokenizer thread ({@link TokenizerThreads}), and the future completes back on
     * the event loop.
     */
    public Future<Boolean> enter(RoutingContext context) {
        InboundRequest request = RequestStage.request(context);
        Meter meter = MeteringStage.meter(context);
        Demand demand = new Demand(IdentityStage.caller(context).appId(), request);
        Decision decision = admission.admitQuickly(demand);
        if (decision instanceof Recount recount) {
            return tokenizer.count(() -> admission.recount(demand))
                    .otherwise(failure -> {
                        LOG.warnf(failure, "Counting the prompt of request %s failed; the quick estimate refuses it",
                                meter.id());
                        return recount.quick();
                    })
                    .map(counted -> decided(context, meter, counted));
        }
        return decided(context, meter, decision) ? PASSED : ANSWERED;
    }

    private boolean decided(RoutingContext context, Meter meter, Decision decision) {
        if (decision instanceof Refused refused) {
            refuse(context, meter, refused);
            return false;
        }
        Ticket ticket = ((Admitted) decision).ticket();
        meter.whenRecorded(ticket::settle);
        if (context.response().closed()) {
            // The caller left while its prompt was being counted: nothing is forwarded.
            metering.callerGone(meter);
            return false;
        }
        OptionalLong tokens = ticket.remainingTokens();
        OptionalLong requests = ticket.remainingRequests();
        if (tokens.isPresent() || requests.isPresent()) {
            MultiMap headers = context.response().headers();
            // At the end of the headers, after the proxy copied the backend's: the smaller of the two counts wins.
            context.addHeadersEndHandler(ignored -> {
                lower(headers, REMAINING_TOKENS, tokens);
                lower(headers, REMAINING_REQUESTS, requests);
            });
        }
        return true;
    }

    private void refuse(RoutingContext context, Meter meter, Refused refused) {
        Duration wait = refused.retryAfter();
        if (wait != null) {
            long millis = Math.max(wait.toMillis(), 1);
            context.response()
                    .putHeader("retry-after", Long.toString((millis + 999) / 1000))
                    .putHeader("retry-after-ms", Long.toString(millis));
        }
        meter.limitedBy(refused.ruleId());
        metering.reject(context, new GatewayException(refused.error(), refused.message()));
    }

    private static void lower(MultiMap headers, String name, OptionalLong own) {
        if (own.isEmpty()) {
            return;
        }
        long value = own.getAsLong();
        String backend = headers.get(name);
        if (backend != null) {
            try {
                value = Math.min(value, Long.parseLong(backend.trim()));
            } catch (NumberFormatException e) {
                // Not a count: the gateway's own is the one the caller can act on.
            }
        }
        headers.set(name, Long.toString(Math.max(value, 0)));
    }
}
