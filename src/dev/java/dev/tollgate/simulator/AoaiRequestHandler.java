package dev.tollgate.simulator;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decision pipeline of one simulated backend: record, route, authenticate, validate, apply injected faults and the
 * rate limit, then answer as JSON or as a stream. Runs on the event loop, so it never blocks; delays are timers.
 */
final class AoaiRequestHandler implements Handler<HttpServerRequest> {

    private static final Logger LOG = Logger.getLogger(AoaiRequestHandler.class);

    private final Vertx vertx;
    private final SimulatedBackend backend;

    AoaiRequestHandler(Vertx vertx, SimulatedBackend backend) {
        this.vertx = vertx;
        this.backend = backend;
    }

    @Override
    public void handle(HttpServerRequest request) {
        long receivedNanos = System.nanoTime();
        request.body().onComplete(body -> {
            if (body.failed()) {
                request.connection().close(); // the client went away mid-upload; nobody to answer
                return;
            }
            process(request, body.result(), new AoaiExchange(request, backend, receivedNanos));
        });
    }

    private void process(HttpServerRequest request, Buffer rawBody, AoaiExchange exchange) {
        String body = rawBody == null ? "" : rawBody.toString(StandardCharsets.UTF_8);
        backend.recordRequest(snapshot(request, body));
        try {
            AoaiRoute route = AoaiRoute.match(request.method().name(), request.path()).orElseThrow(AoaiError::notFound);
            if (!backend.apiKey().equals(request.getHeader("api-key"))) {
                throw AoaiError.unauthorized();
            }
            AoaiCall call = AoaiCallParser.parse(route, request.getParam("api-version"), body);
            answer(call, exchange);
        } catch (AoaiError error) {
            exchange.error(error);
        } catch (RuntimeException unexpected) {
            LOG.errorf(unexpected, "%s failed on %s %s", backend.name(), request.method(), request.uri());
            exchange.error(new AoaiError(500, "InternalServerError", "Simulator bug: " + unexpected));
        }
    }

    private void answer(AoaiCall call, AoaiExchange exchange) {
        int injected = backend.takeInjectedFailure();
        if (injected > 0) {
            throw AoaiError.injected(injected);
        }
        long throttledMillis = backend.throttledForMillis();
        if (throttledMillis > 0) {
            exchange.rateLimited(call, throttledMillis);
            return;
        }
        TokenBudget.Decision limits = backend.admit(UsageEstimator.budgetCost(call));
        if (!limits.admitted()) {
            exchange.rateLimited(call, limits.retryAfterMillis());
            return;
        }
        boolean promptSeen = UsageEstimator.cacheable(call) && backend.promptSeenBefore(call);
        TokenUsage usage = UsageEstimator.estimate(call, promptSeen);
        if (call.stream()) {
            SseStream stream = new SseStream(vertx, exchange, StreamPayloads.events(call, usage),
                    backend.chunkDelay(), backend.dropStreamAfter());
            Delays.after(vertx, backend.firstByteDelay(), () -> stream.start(limits));
        } else {
            String json = ResponsePayloads.body(call, usage);
            Delays.after(vertx, backend.firstByteDelay(), () -> exchange.json(200, json, limits));
        }
    }

    private static RecordedRequest snapshot(HttpServerRequest request, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : request.headers().names()) {
            headers.put(name, String.join(", ", request.headers().getAll(name)));
        }
        return new RecordedRequest(request.method().name(), request.path(), request.query(), headers, body);
    }
}
