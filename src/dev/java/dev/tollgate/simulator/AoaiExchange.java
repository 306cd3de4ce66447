package dev.tollgate.simulator;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes the answer to one request with the headers Azure puts on every answer ({@code apim-request-id},
 * {@code x-ms-region}, {@code x-ratelimit-remaining-*}), so the gateway can be tested against them.
 */
final class AoaiExchange {

    private final HttpServerRequest request;
    private final SimulatedBackend backend;
    private final long receivedNanos;

    AoaiExchange(HttpServerRequest request, SimulatedBackend backend, long receivedNanos) {
        this.request = request;
        this.backend = backend;
        this.receivedNanos = receivedNanos;
    }

    HttpServerRequest request() {
        return request;
    }

    /** Status and common headers; counts the answer as served when it is a success. */
    HttpServerResponse head(int status, TokenBudget.Decision limits) {
        HttpServerResponse response = request.response()
                .setStatusCode(status)
                .putHeader("apim-request-id", UUID.randomUUID().toString())
                .putHeader("x-ms-region", backend.region())
                .putHeader("x-ratelimit-remaining-requests", String.valueOf(limits.remainingRequests()))
                .putHeader("x-ratelimit-remaining-tokens", String.valueOf(limits.remainingTokens()));
        if (status >= 200 && status < 300) {
            backend.countServed();
        }
        return response;
    }

    void json(int status, String body, TokenBudget.Decision limits) {
        if (request.response().closed()) {
            return; // the caller gave up while we were "thinking"
        }
        head(status, limits)
                .putHeader("content-type", "application/json")
                .putHeader("openai-processing-ms", String.valueOf(elapsedMillis()))
                .end(body);
    }

    void error(AoaiError error) {
        json(error.status(), AoaiJson.error(error.code(), error.getMessage()), backend.currentLimits());
    }

    /** Azure's 429: retry hints in whole seconds and in milliseconds, and no tokens left. */
    void rateLimited(AoaiCall call, long retryAfterMillis) {
        long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
        TokenBudget.Decision limits = backend.currentLimits();
        TokenBudget.Decision exhausted = new TokenBudget.Decision(false, 0, limits.remainingRequests(), retryAfterMillis);
        String message = "Requests to the " + call.operation().operationId() + " Operation under Azure OpenAI API "
                + "version " + call.apiVersion() + " have exceeded token rate limit of your current OpenAI S0 "
                + "pricing tier. Please retry after " + seconds + " seconds. Please go here: "
                + "https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.";
        request.response()
                .putHeader("retry-after", String.valueOf(seconds))
                .putHeader("retry-after-ms", String.valueOf(Math.max(1, retryAfterMillis)));
        json(429, AoaiJson.error("429", message), exhausted);
    }

    private long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - receivedNanos);
    }
}
