package dev.tollgate.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** The Vert.x HTTP server behind one simulated backend: binding and unbinding only, the logic is in the handler. */
final class SimulatorServer {

    private final HttpServer server;

    private SimulatorServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code host:port} (0 = any free port); fails if the port is taken. */
    static Future<SimulatorServer> listen(Vertx vertx, String host, int port, SimulatedBackend backend) {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                // Some clients (curl, .NET) send "Expect: 100-continue" with large bodies; Azure answers it.
                .setHandle100ContinueAutomatically(true)
                // Real AOAI answers are small but prompts can be large; keep generous limits for long-prompt tests.
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024);
        return vertx.createHttpServer(options)
                .requestHandler(new AoaiRequestHandler(vertx, backend))
                .listen()
                .recover(cause -> Future.failedFuture(new IllegalStateException(
                        "Simulated AOAI backend " + backend.name() + " cannot listen on " + host + ":" + port
                                + " (port already in use?): " + cause.getMessage(), cause)))
                .map(SimulatorServer::new);
    }

    int port() {
        return server.actualPort();
    }

    Future<Void> close() {
        return server.close();
    }
}
