package dev.tollgate.proxy;

import dev.tollgate.request.InboundRequest;
import dev.tollgate.routing.Backend;
import dev.tollgate.routing.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/** Opens requests to backends over one pooled, non-blocking Vert.x HTTP client. */
@Singleton
public class UpstreamClient {

    private static final String HTTPS = "https";

    private final HttpClient client;
    private final ProxyConfig config;

    public UpstreamClient(Vertx vertx, ProxyConfig config) {
        this.config = config;
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setVerifyHost(true)
                .setForceSni(true)
                // Attempts are traced by the proxy itself (AttemptTracing), with what a span of Vert.x's cannot know.
                .setTracingPolicy(TracingPolicy.IGNORE);
        PoolOptions pool = new PoolOptions()
                .setHttp1MaxSize(config.maxConnectionsPerBackend())
                .setMaxWaitQueueSize(config.maxWaitingRequests());
        this.client = vertx.createHttpClient(options, pool);
    }

    /**
     * Opens a request to the target for the caller's request, with the backend's credentials; not yet sent.
     * {@code tracing} adds the trace context to the headers.
     */
    public Future<HttpClientRequest> open(Target target, InboundRequest request, MultiMap callerHeaders,
                                          Consumer<MultiMap> tracing) {
        Backend backend = target.backend();
        URI url = backend.url();
        boolean ssl = HTTPS.equalsIgnoreCase(url.getScheme());
        // Host, port and path from the backend's URI, parsed once at configuration, rather than an absolute URI
        // string built and parsed again by Vert.x for every request.
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(url.getHost())
                .setPort(url.getPort() != -1 ? url.getPort() : ssl ? 443 : 80)
                .setSsl(ssl)
                .setURI(pathAndQuery(url, target, request))
                .setConnectTimeout(backend.connectTimeout().orElse(config.connectTimeout()).toMillis())
                .setIdleTimeout(backend.idleTimeout().orElse(config.idleTimeout()).toMillis());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        HeaderPolicy.copyRequestHeaders(callerHeaders, headers);
        headers.set("content-type", "application/json");
        tracing.accept(headers);
        // Credentials first: a connection is taken from the pool only once the request can be sent.
        return backend.credential().authorize(headers)
                .compose(authorized -> client.request(options.setHeaders(headers)));
    }

    /** Longest the whole answer of that target may take. */
    public Duration requestTimeout(Target target) {
        return target.backend().requestTimeout().orElse(config.requestTimeout());
    }

    private static String pathAndQuery(URI url, Target target, InboundRequest request) {
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        String path = switch (request.style()) {
            case DEPLOYMENTS -> "/openai/deployments/" + target.upstreamDeployment() + "/" + request.operation().path();
            case V1 -> "/openai/v1/" + request.operation().path();
            case ROOT -> "/openai/" + request.operation().path();
        };
        return request.query().isEmpty() ? base + path : base + path + "?" + request.query();
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
