import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * bench/VertxFloorProxy.java - the floor of bench/run.sh --floor: the least a proxy on the gateway's own platform
 * (its Vert.x and Netty jars, JVM and flags, core) can do per request, to tell the platform's cost from Tollgate's.
 * It does what the nginx baseline does and nothing more: round-robin over the stubs on one pooled keep-alive
 * client, the caller's credential swapped for {@code api-key: bench}, the answer relayed chunk by chunk as it
 * arrives with back-pressure (as the gateway's AnswerRelay does), 502 when a stub fails. No logging per request.
 *
 * <pre>java -cp 'target/quarkus-app/lib/main/*' bench/VertxFloorProxy.java &lt;listen-port&gt; &lt;stub-port&gt;...</pre>
 *
 * Listens on 127.0.0.1 with one event loop; prints "floor proxy up on &lt;port&gt;" once listening; SIGTERM stops it.
 */
public final class VertxFloorProxy {

    /**
     * Hop-by-hop headers (RFC 9110 7.6.1) and the ones the client sets itself from the request it sends; compared
     * ignoring case without a lower-cased copy of every name, as the gateway's HeaderPolicy does.
     */
    private static final Set<String> HOP_BY_HOP = ignoringCase("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect");

    /** Not sent to a stub: the hop-by-hop headers and the caller's credential. */
    private static final Set<String> NOT_FORWARDED = ignoringCase(HOP_BY_HOP, "authorization");

    private final HttpClient client;
    private final int[] stubPorts;
    private int next;   // only touched on the one event loop

    private VertxFloorProxy(HttpClient client, int[] stubPorts) {
        this.client = client;
        this.stubPorts = stubPorts;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: VertxFloorProxy <listen-port> <stub-port>...");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        int[] stubs = new int[args.length - 1];
        for (int i = 1; i < args.length; i++) {
            stubs[i - 1] = Integer.parseInt(args[i]);
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        // The gateway's UpstreamClient settings that matter on a plain-HTTP loopback: keep-alive, no Nagle, no
        // decompression; a pool of 64 connections per stub (as many as the benchmark's callers).
        HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(64));
        VertxFloorProxy proxy = new VertxFloorProxy(client, stubs);
        vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setTcpNoDelay(true)
                        .setHandle100ContinueAutomatically(true))
                .requestHandler(proxy::handle)
                .listen()
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // exiting anyway: SIGTERM asked for it
            }
        }));
        System.out.println("floor proxy up on " + port);
    }

    private static Set<String> ignoringCase(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Arrays.asList(names));
        return set;
    }

    private static Set<String> ignoringCase(Set<String> names, String... more) {
        Set<String> set = ignoringCase(more);
        set.addAll(names);
        return set;
    }

    private void handle(HttpServerRequest request) {
        // The whole body first, as the gateway reads it before choosing a backend.
        request.body().onComplete(body -> {
            if (body.failed()) {
                request.response().setStatusCode(400).end();
            } else {
                forward(request, body.result());
            }
        });
    }

    private void forward(HttpServerRequest request, Buffer body) {
        int port = stubPorts[next];
        next = (next + 1) % stubPorts.length;
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> header : request.headers()) {
            if (!NOT_FORWARDED.contains(header.getKey())) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        headers.set("api-key", "bench");
        RequestOptions options = new RequestOptions()
                .setMethod(request.method())
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI(request.uri())
                .setHeaders(headers);
        HttpServerResponse response = request.response();
        client.request(options)
                .compose(upstream -> upstream.send(body))
                .onComplete(answer -> {
                    if (answer.succeeded()) {
                        relay(answer.result(), response);
                    } else if (!response.headWritten() && !response.closed()) {
                        response.setStatusCode(502).end();
                    }
                });
    }

    /** Status, headers, then each chunk as it arrives; a caller that cannot keep up pauses the stub's answer. */
    private static void relay(HttpClientResponse upstream, HttpServerResponse response) {
        response.setStatusCode(upstream.statusCode());
        for (Map.Entry<String, String> header : upstream.headers()) {
            if (!HOP_BY_HOP.contains(header.getKey())) {
                response.headers().add(header.getKey(), header.getValue());
            }
        }
        String length = upstream.getHeader("content-length");
        if (length != null) {
            response.putHeader("content-length", length);
        } else {
            response.setChunked(true);
        }
        upstream.handler(chunk -> {
            if (response.closed()) {
                return;
            }
            response.write(chunk);
            if (response.writeQueueFull()) {
                upstream.pause();
                response.drainHandler(drained -> upstream.resume());
            }
        });
        upstream.endHandler(end -> {
            if (!response.closed()) {
                response.end();
            }
        });
        // A break in the answer is passed on: ending cleanly would tell the caller the answer was complete.
        upstream.exceptionHandler(failure -> response.reset());
    }
}
