package dev.tollgate.routing.credentials;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import org.jboss.logging.Logger;
import reactor.netty.http.Http11SslContextSpec;

import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of the Entra ID (Azure AD v2) authority that MSAL uses for the client-credentials grant, over HTTPS
 * (azure-identity and MSAL both refuse an http authority). The certificate is made by the JDK's keytool for
 * 127.0.0.1, and {@link #httpClient()} trusts it, host name checked. Other services that Entra tokens are for (the
 * Microsoft Graph fake of the apps tests) can answer the paths it does not serve, on the same HTTPS server.
 */
public final class FakeEntraEndpoint implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FakeEntraEndpoint.class);
    private static final String PASSWORD = "fake-entra";

    /** One token request as the fake saw it. */
    public record TokenRequest(String tenant, Map<String, String> form) {
    }

    public final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();
    final List<String> otherRequests = new CopyOnWriteArrayList<>();

    /** What the next token requests get: seconds to live, or a failure. */
    volatile long expiresIn = 3599;
    volatile boolean failing;
    /** When set, token answers wait for it. */
    volatile Promise<Void> gate;
    /** When set, answers the paths that are not the token endpoint. */
    public volatile Handler<HttpServerRequest> otherPaths;

    private final AtomicInteger issued = new AtomicInteger();
    private volatile String lastIssued;
    private final HttpServer server;
    private final X509Certificate certificate;

    public FakeEntraEndpoint(Vertx vertx, Path dir) throws Exception {
        Path keystore = dir.resolve("fake-entra.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "fake-entra", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + keytoolOutput);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        certificate = (X509Certificate) store.getCertificate("fake-entra");
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1").setPort(0)
                        .setSsl(true).setKeyCertOptions(new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD)))
                .requestHandler(this::handle)
                .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The authority host to give the credential builder. */
    public String authorityHost() {
        return "https://127.0.0.1:" + server.actualPort();
    }

    /** An azure-core HTTP client that trusts this fake's certificate (and nothing else). */
    public HttpClient httpClient() {
        reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create()
                .secure(spec -> spec.sslContext(Http11SslContextSpec.forClient()
                        .configure(ssl -> ssl.trustManager(certificate))));
        return new NettyAsyncHttpClientBuilder(client).build();
    }

    /** The last access token handed out. */
    public String lastIssued() {
        return lastIssued;
    }

    private void handle(HttpServerRequest request) {
        String[] path = request.path().substring(1).split("/");
        if (request.method().name().equals("POST") && path.length == 4
                && path[1].equals("oauth2") && path[2].equals("v2.0") && path[3].equals("token")) {
            request.body().onSuccess(body -> token(request, path[0], form(body.toString(StandardCharsets.UTF_8))));
        } else if (otherPaths != null) {
            otherPaths.handle(request);
        } else {
            LOG.warnf("Fake Entra endpoint: no such path %s %s", request.method(), request.uri());
            otherRequests.add(request.method() + " " + request.path());
            json(request, 404, new JsonObject().put("error", "not_found"));
        }
    }

    private void token(HttpServerRequest request, String tenant, Map<String, String> form) {
        tokenRequests.add(new TokenRequest(tenant, form));
        Promise<Void> wait = gate;
        if (wait == null) {
            answerToken(request);
        } else {
            Context context = Vertx.currentContext();
            wait.future().onComplete(done -> context.runOnContext(v -> answerToken(request)));
        }
    }

    private void answerToken(HttpServerRequest request) {
        if (failing) {
            json(request, 401, new JsonObject()
                    .put("error", "invalid_client")
                    .put("error_description", "AADSTS7000215: Invalid client secret provided.")
                    .put("error_codes", new JsonArray().add(7000215)));
            return;
        }
        String token = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJjb2duaXRpdmVzZXJ2aWNlcyJ9.token-" + issued.incrementAndGet();
        lastIssued = token;
        json(request, 200, new JsonObject()
                .put("token_type", "Bearer")
                .put("expires_in", expiresIn)
                .put("ext_expires_in", expiresIn)
                .put("access_token", token));
    }

    private static void json(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                .end(body.encode());
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
