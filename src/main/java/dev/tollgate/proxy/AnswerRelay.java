package dev.tollgate.proxy;

import dev.tollgate.metering.MeteringStage;
import dev.tollgate.metering.ShutdownPhase;
import dev.tollgate.metering.UsageTap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Streams a backend's answer back to the caller as it arrives, through the meter's usage tap, with back-pressure (a
 * slow caller slows the backend read instead of filling memory); ends the meter when the answer ends or breaks off.
 */
@Singleton
class AnswerRelay {

    private static final Logger LOG = Logger.getLogger(AnswerRelay.class);

    private final MeteringStage metering;
    private final ShutdownPhase shutdown;
    private final Vertx vertx;

    AnswerRelay(MeteringStage metering, ShutdownPhase shutdown, Vertx vertx) {
        this.metering = metering;
        this.shutdown = shutdown;
        this.vertx = vertx;
    }

    void relay(Exchange exchange, HttpClientResponse upstreamResponse) {
        HttpServerResponse response = exchange.context.response();
        int status = upstreamResponse.statusCode();
        response.setStatusCode(status);
        HeaderPolicy.copyResponseHeaders(upstreamResponse.headers(), response.headers());
        String contentType = upstreamResponse.getHeader("content-type");
        UsageTap tap = metering.answering(exchange.meter, status, contentType,
                upstreamResponse.getHeader("apim-request-id"), exchange.request.usageInjected());
        String length = upstreamResponse.getHeader("content-length");
        if (length != null && (contentType == null || !contentType.startsWith("text/event-stream"))) {
            // A JSON body passes byte for byte: its length holds (an event stream may lose the usage-only event).
            response.putHeader("content-length", length);
        } else {
            response.setChunked(true);
        }
        upstreamResponse.handler(chunk -> {
            if (response.closed()) {
                return;
            }
            Buffer forward = tap.onChunk(chunk);
            if (forward.length() > 0) {
                response.write(forward);
            }
            if (response.writeQueueFull()) {
                upstreamResponse.pause();
                response.drainHandler(drained -> upstreamResponse.resume());
            }
        });
        upstreamResponse.endHandler(end -> {
            Buffer tail = tap.onEnd();
            // Recorded before the response ends: over HTTP/2, ending the stream also fires its close handler.
            ended(exchange, status);
            if (!response.closed()) {
                response.end(tail);
            }
        });
        upstreamResponse.exceptionHandler(failure -> {
            if (exchange.meter.finished()) {
                return; // the caller left and the gateway itself reset the upstream request
            }
            if (shutdown.stopping()) {
                // Our own drain deadline closed the connection: not the backend's fault, and expected.
                LOG.infof("The shutdown cut the answer of backend %s to request %s: %s",
                        exchange.target().backend().id(), exchange.meter.id(), failure.getMessage());
            } else {
                LOG.warnf("Backend %s broke off the answer to request %s: %s",
                        exchange.target().backend().id(), exchange.meter.id(), failure.getMessage());
            }
            ended(exchange, status);
            // Pass the break on: ending cleanly would tell the caller the answer was complete. A reset closes an
            // HTTP/1.1 connection but only this stream of an HTTP/2 one.
            response.reset();
        });
    }

    private void ended(Exchange exchange, int status) {
        exchange.attemptSpan().end();
        exchange.cancelDeadline(vertx);
        metering.answerEnded(exchange.meter, status);
    }
}
