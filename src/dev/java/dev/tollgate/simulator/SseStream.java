package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.util.List;

/**
 * Writes server-sent events one at a time with a pause between them, using chunked transfer encoding so a client sees
 * each event as it is produced. Can cut the TCP connection midway to simulate a backend dying during a stream.
 */
final class SseStream {

    private final Vertx vertx;
    private final AoaiExchange exchange;
    private final List<SseEvent> events;
    private final Duration chunkDelay;
    private final int dropAfter;
    private HttpServerResponse response;

    /**
     * @param dropAfter close the connection after this many events, or -1 to send them all
     */
    SseStream(Vertx vertx, AoaiExchange exchange, List<SseEvent> events, Duration chunkDelay, int dropAfter) {
        this.vertx = vertx;
        this.exchange = exchange;
        this.events = events;
        this.chunkDelay = chunkDelay;
        this.dropAfter = dropAfter;
    }

    void start(TokenBudget.Decision limits) {
        if (exchange.request().response().closed()) {
            return;
        }
        response = exchange.head(200, limits)
                .setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache");
        if (dropAfter == 0) {
            response.writeHead().onComplete(ignored -> exchange.request().connection().close());
            return;
        }
        send(0);
    }

    private void send(int index) {
        if (response.closed()) {
            return; // the client hung up; stop producing
        }
        var written = response.write(events.get(index).wire());
        int sent = index + 1;
        if (sent == dropAfter) {
            // Abrupt close without the terminating chunk: the client sees a truncated stream, as when a backend dies.
            // Closing once the write is done makes sure the events before the cut do reach the client.
            written.onComplete(ignored -> exchange.request().connection().close());
            return;
        }
        if (sent == events.size()) {
            response.end();
            return;
        }
        Delays.after(vertx, chunkDelay, () -> send(sent));
    }
}
