package dev.tollgate.metering;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.ErrorWriter;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.IdentityStage;
import dev.tollgate.routing.Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The metering stage of the request path, right after identity: it opens the request's {@link Meter}, and from here on
 * every request yields exactly one usage record, however it ends. The later stages close the meter through this class:
 * {@link #reject} for a request refused before a backend answered, {@link #answerEnded} when an answer is over,
 * {@link #callerGone} when the caller left first.
 */
@Singleton
public class MeteringStage {

    private static final Logger LOG = Logger.getLogger(MeteringStage.class);
    public static final String REQUEST_ID = "x-request-id";
    /** Recorded when the caller closed the connection before its answer was complete (nginx's convention). */
    public static final int CALLER_LEFT = 499;
    private static final String METER = "tollgate.meter";

    private final UsageJournal journal;
    private final TokenEstimator estimator;
    private final ServedModels servedModels;
    private final ShutdownPhase shutdown;
    private final ErrorWriter errors;
    private final UsageTaps taps;
    private final TokenizerThreads tokenizer;
    private final Counter shed;

    public MeteringStage(UsageJournal journal, TokenEstimator estimator, ServedModels servedModels,
                         ShutdownPhase shutdown, ErrorWriter errors, UsageTaps taps, TokenizerThreads tokenizer,
                         MeterRegistry registry) {
        this.journal = journal;
        this.estimator = estimator;
        this.servedModels = servedModels;
        this.shutdown = shutdown;
        this.errors = errors;
        this.taps = taps;
        this.tokenizer = tokenizer;
        // Shed requests are not metered (nothing was forwarded): this counter is where they show.
        this.shed = registry.counter("tollgate.gateway.refused", "reason", "shed");
    }

    /**
     * Opens the request's meter. Refuses the request (503, nothing forwarded, so nothing consumed and nothing recorded)
     * while the gateway is shutting down, or if its record could not be journalled.
     */
    public boolean enter(RoutingContext context) {
        if (shutdown.refusingNewRequests()) {
            // The client retries, on another replica; this connection is not reused.
            context.response().putHeader("retry-after", "1").putHeader("connection", "close");
            errors.send(context.response(), new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "This gateway replica is shutting down; retry."));
            return false;
        }
        if (!journal.accepting()) {
            shed.increment();
            context.response().putHeader("retry-after", "1");
            errors.send(context.response(), new GatewayException(ErrorCode.SERVICE_UNAVAILABLE,
                    "The gateway cannot meter more requests right now; retry shortly."));
            return false;
        }
        Meter meter = new Meter(IdentityStage.caller(context), journal);
        context.put(METER, meter);
        context.response().putHeader(REQUEST_ID, meter.id().toString());
        return true;
    }

    /** The meter this stage opened for the request. */
    public static Meter meter(RoutingContext context) {
        return context.get(METER);
    }

    /** Refuses the request with that error; it is recorded with its status and no usage (nothing was consumed). */
    public void reject(RoutingContext context, GatewayException error) {
        errors.send(context.response(), error);
        Meter meter = meter(context);
        recorded(meter, meter.finish(error.code().status(), Usage.none(), null));
    }

    /** A backend's answer begins: the tap that reads its usage as the body passes. */
    public UsageTap answering(Meter meter, int status, String contentType, String upstreamRequestId,
                              boolean usageInjected) {
        UsageTap tap = taps.forAnswer(meter.operation(), contentType == null ? "" : contentType, usageInjected);
        meter.answering(status, upstreamRequestId, tap);
        return tap;
    }

    /**
     * The answer is over, completely or broken off, with that status: recorded with the usage the tap saw, none for
     * an error answer, or an estimate for a successful answer whose usage never came.
     */
    public void answerEnded(Meter meter, int status) {
        UsageTap tap = meter.tap();
        if (status >= 400 || tap.usage().isPresent()) {
            Usage usage = status >= 400 ? Usage.none() : tap.usage().get();
            UsageRecord record = meter.finish(status, usage, tap.model().orElse(null));
            recorded(meter, record == null || status >= 400 ? record : priced(meter, record));
        } else {
            estimated(meter, status);
        }
    }

    /**
     * The caller's connection closed before the gateway ended its answer. If the usage block already went by, the
     * caller had the whole answer (it may close on the last byte, before the backend's end is read): recorded as
     * served. If nothing was forwarded yet, recorded as 499 without usage. Otherwise the caller left early: recorded
     * as 499 with an estimate; or, once the gateway is shutting down (whose drain deadline closes the connections),
     * with the backend's status and an estimate.
     *
     * @return whether the caller left early, so that the backend should stop generating for nobody
     */
    public boolean callerGone(Meter meter) {
        UsageTap tap = meter.tap();
        if (tap != null && tap.usage().isPresent()) {
            answerEnded(meter, meter.upstreamStatus());
            return false;
        }
        if (meter.finished()) {
            return false;
        }
        if (meter.target() == null) {
            // Before anything was forwarded: nothing consumed.
            recorded(meter, meter.finish(CALLER_LEFT, Usage.none(), null));
            return false;
        }
        if (shutdown.stopping() && tap != null) {
            // The drain deadline closes the callers' connections: the answer was cut by this gateway, not left by its
            // caller (one leaving during the drain cannot be told apart, and is recorded the same).
            estimated(meter, meter.upstreamStatus());
            LOG.infof("The shutdown cut the answer to request %s before it was complete", meter.id());
            return true;
        }
        estimated(meter, CALLER_LEFT);
        LOG.infof("Caller left before the answer to request %s was complete", meter.id());
        return true;
    }

    /**
     * A successful answer without usage (a stream cut off, a caller gone): it consumed tokens all the same, so the
     * record carries an estimate, counted with the model's tokenizer on a tokenizer thread (the text can be long). Should
     * the gateway stop before the estimate is made, the journal's entry for the request still charges its prompt.
     */
    private void estimated(Meter meter, int status) {
        UsageTap tap = meter.tap();
        UsageRecord taken = meter.finish(status, Usage.missing(), tap == null ? null : tap.model().orElse(null));
        if (taken == null) {
            return;
        }
        UsageRecord record = priced(meter, taken);
        // Read here, on the event loop that feeds the tap (a late chunk may still arrive): a one-off cost in proportion
        // to the stream, paid only by requests that need an estimate; the tokenizer runs on its own threads.
        String output = tap == null ? "" : tap.outputText();
        String encodingModel = record.model() != null ? record.model() : record.deployment();
        tokenizer.count(() -> estimator.estimate(meter.requestBody(), output, encodingModel))
                .onComplete(estimate -> recorded(meter, estimate.succeeded()
                        ? record.withUsage(estimate.result()) : record));
    }

    /**
     * At shutdown, once the drain time is over: the record of a request still running, made now on the calling thread
     * (the event loops are about to stop): what it sent, and the output it was sent so far, as an estimate.
     */
    UsageRecord recordNow(Meter meter) {
        UsageTap tap = meter.tap();
        String answered = tap == null ? null : tap.model().orElse(null);
        int status = tap == null ? ErrorCode.SERVICE_UNAVAILABLE.status() : meter.upstreamStatus();
        UsageRecord record = priced(meter, meter.snapshot(status, Usage.missing(), answered));
        String output;
        try {
            output = tap == null ? "" : tap.outputText();
        } catch (RuntimeException e) {
            // The event loop may still be feeding the tap: the prompt alone is charged then.
            output = "";
        }
        String encodingModel = record.model() != null ? record.model() : record.deployment();
        return record.withUsage(estimator.estimate(meter.requestBody(), output, encodingModel));
    }

    /** The request's final record (null: already taken): journalled, and its listener told. */
    void recorded(Meter meter, UsageRecord record) {
        if (record != null) {
            journal.recorded(record);
            meter.recorded(record);
        }
    }

    /**
     * The record with a model to price: an answer that named none (cut before it) takes the model its target is known
     * to serve, marked inferred; one that named it teaches the target's model.
     */
    private UsageRecord priced(Meter meter, UsageRecord record) {
        Target target = meter.target();
        if (target == null) {
            return record;
        }
        if (record.model() != null) {
            servedModels.learn(target, record.model());
            return record;
        }
        return servedModels.of(target).map(record::withInferredModel).orElse(record);
    }
}
