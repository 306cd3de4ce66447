package dev.tollgate.admission.alerts;

import org.jboss.logging.Logger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Delivers an alert as a JSON POST (the JDK's HTTP client, asynchronous: the exchange never waits for it). A 2xx
 * answer delivers it; anything else, or no answer within the timeout, is retried after a doubling backoff, up to the
 * configured attempts, then logged as given up. With a secret, each body is signed:
 * {@code X-Tollgate-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes>}, so a relay can check it came from
 * Tollgate. {@code X-Tollgate-Delivery} stays the same across retries of one alert, for de-duplication.
 */
public final class AlertWebhook {

    private static final Logger LOG = Logger.getLogger(AlertWebhook.class);
    public static final String SIGNATURE = "X-Tollgate-Signature";
    public static final String DELIVERY = "X-Tollgate-Delivery";

    private final URI url;
    private final byte[] secret;
    private final int attempts;
    private final Duration backoff;
    private final Duration timeout;
    private final HttpClient client;

    public AlertWebhook(URI url, String secret, int attempts, Duration backoff, Duration timeout) {
        this.url = url;
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.attempts = Math.max(1, attempts);
        this.backoff = backoff;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** Sends the body; completes with whether it was delivered (never exceptionally). */
    public CompletableFuture<Boolean> send(String deliveryId, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header(DELIVERY, deliveryId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (secret != null) {
            request.header(SIGNATURE, "sha256=" + sign(secret, bytes));
        }
        return attempt(request.build(), deliveryId, 1);
    }

    private CompletableFuture<Boolean> attempt(HttpRequest request, String deliveryId, int attempt) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> {
                    if (failure == null && response.statusCode() / 100 == 2) {
                        return CompletableFuture.completedFuture(true);
                    }
                    String why = failure != null ? failure.toString() : "status " + response.statusCode();
                    if (attempt >= attempts) {
                        LOG.errorf("Alert %s not delivered to %s after %d attempts (%s); given up", deliveryId, url,
                                attempt, why);
                        return CompletableFuture.completedFuture(false);
                    }
                    long delay = backoff.toMillis() << (attempt - 1);
                    LOG.warnf("Alert %s delivery attempt %d to %s failed (%s); retrying in %d ms", deliveryId,
                            attempt, url, why, delay);
                    Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS);
                    return CompletableFuture.supplyAsync(() -> null, later)
                            .thenCompose(ignored -> attempt(request, deliveryId, attempt + 1));
                })
                .thenCompose(result -> result);
    }

    /** Hex HMAC-SHA256 of the body with the secret. */
    public static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
