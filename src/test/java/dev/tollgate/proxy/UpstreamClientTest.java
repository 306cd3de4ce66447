package dev.tollgate.proxy;

import dev.tollgate.request.InboundRequest;
import dev.tollgate.request.Operation;
import dev.tollgate.routing.Backend;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.routing.Target;
import dev.tollgate.routing.credentials.ApiKeyCredential;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the gateway sends a request, over real HTTP to a server on loopback: the backend's host and port, its path
 * prefix (an API Management front, say) before the AOAI path, the caller's query, and the backend's own key.
 */
class UpstreamClientTest {

    private final Vertx vertx = Vertx.vertx();
    private final CompletableFuture<HttpServerRequest> received = new CompletableFuture<>();
    private HttpServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> {
            received.complete(request);
            request.response().end("{}");
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRequestGoesToTheBackendsHostPortAndPathPrefixWithTheCallersQueryAndTheBackendsKey() throws Exception {
        Backend backend = new Backend("apim", URI.create("http://127.0.0.1:" + server.actualPort() + "/aoai/eu"),
                new ApiKeyCredential("backend-key"), Optional.empty(), DeploymentType.GLOBAL, Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        Target target = new Target(backend, "gpt-4o-eu", 1, 1);
        InboundRequest request = new InboundRequest(InboundRequest.PathStyle.DEPLOYMENTS, "gpt-4o",
                Operation.fromPath("chat/completions").orElseThrow(), "api-version=2024-10-21", false, false,
                Buffer.buffer("{}"), new InboundRequest.Tokens(0, -1, 1));
        MultiMap callerHeaders = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer caller-token")
                .add("User-Agent", "AzureOpenAI/Java");

        vertx.runOnContext(ignored -> new UpstreamClient(vertx, new Settings()).open(target, request, callerHeaders,
                headers -> { }).compose(sent -> sent.send(request.body())));
        HttpServerRequest seen = received.get(10, TimeUnit.SECONDS);

        assertThat(seen.uri()).isEqualTo("/aoai/eu/openai/deployments/gpt-4o-eu/chat/completions"
                + "?api-version=2024-10-21");
        assertThat(seen.getHeader("host")).isEqualTo("127.0.0.1:" + server.actualPort());
        assertThat(seen.getHeader("api-key")).isEqualTo("backend-key");
        assertThat(seen.getHeader("user-agent")).isEqualTo("AzureOpenAI/Java");
        assertThat(seen.getHeader("authorization")).as("the caller's token never reaches a backend").isNull();
    }

    /** The proxy's settings at their documented defaults (docs/configuration.md). */
    private static final class Settings implements ProxyConfig {
        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(10);
        }

        @Override
        public Duration idleTimeout() {
            return Duration.ofSeconds(60);
        }

        @Override
        public Duration requestTimeout() {
            return Duration.ofMinutes(5);
        }

        @Override
        public long maxRequestBodyBytes() {
            return 20L * 1024 * 1024;
        }

        @Override
        public int maxAttempts() {
            return 3;
        }

        @Override
        public int maxConnectionsPerBackend() {
            return 256;
        }

        @Override
        public int maxWaitingRequests() {
            return 1024;
        }
    }
}
