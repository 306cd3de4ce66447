package dev.tollgate.routing.credentials;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import org.jboss.logging.Logger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An Entra ID token for Azure OpenAI, sent as {@code Authorization: Bearer}, for backends that take no api-key.
 * <p>
 * Getting a token is a network call (sometimes several), far too slow for every request and never allowed on the
 * event loop. So the current token is kept and set synchronously, and renewed in the background once it is within
 * the refresh margin of its expiry, while it is still served. Only a request with no usable token (the first, or
 * after a long failure) waits, on the one fetch under way: at most one fetch runs at a time, whoever asks.
 */
public final class EntraIdCredential implements BackendCredential {

    /** The audience of Azure OpenAI (Cognitive Services). */
    public static final String SCOPE = "https://cognitiveservices.azure.com/.default";

    /** How long before its expiry a token is renewed. */
    public static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);

    /** A fetch that takes longer is given up: one hung call must not stall every later request. */
    static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(EntraIdCredential.class);

    private final String kind;
    private final TokenCredential credential;
    private final Duration refreshMargin;
    private final Duration fetchTimeout;

    private volatile AccessToken token;
    /** The fetch under way, if any; shared by every caller that needs it. */
    private final AtomicReference<CompletableFuture<AccessToken>> fetch = new AtomicReference<>();

    /** Tokens from a credential built by the caller (named {@code custom}). */
    public EntraIdCredential(TokenCredential credential) {
        this("custom", credential, DEFAULT_REFRESH_MARGIN);
    }

    /** Tokens from the credential; {@code kind} names it in logs and {@link #toString()}, and must hold no secret. */
    public EntraIdCredential(String kind, TokenCredential credential, Duration refreshMargin) {
        this(kind, credential, refreshMargin, DEFAULT_FETCH_TIMEOUT);
    }

    EntraIdCredential(String kind, TokenCredential credential, Duration refreshMargin, Duration fetchTimeout) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.credential = Objects.requireNonNull(credential, "credential");
        if (refreshMargin.isNegative() || fetchTimeout.isNegative() || fetchTimeout.isZero()) {
            throw new IllegalArgumentException("refresh margin must be >= 0 and fetch timeout > 0");
        }
        this.refreshMargin = refreshMargin;
        this.fetchTimeout = fetchTimeout;
    }

    @Override
    public Future<Void> authorize(MultiMap headers) {
        AccessToken current = token;
        OffsetDateTime now = OffsetDateTime.now();
        if (current != null && now.isBefore(current.getExpiresAt().minus(refreshMargin))) {
            return set(headers, current);
        }
        CompletableFuture<AccessToken> next = refresh();
        if (current != null && now.isBefore(current.getExpiresAt())) {
            return set(headers, current); // still valid: served while the refresh runs
        }
        return await(next, headers);
    }

    @Override
    public String toString() {
        return "entra-id(" + kind + ")";
    }

    private static Future<Void> set(MultiMap headers, AccessToken token) {
        headers.set(HttpHeaders.AUTHORIZATION, "Bearer " + token.getToken());
        return Future.succeededFuture();
    }

    /** Completes on the caller's context once the fetch ends, so that its request goes on on its own event loop. */
    private static Future<Void> await(CompletableFuture<AccessToken> next, MultiMap headers) {
        Context context = Vertx.currentContext();
        Promise<Void> promise = Promise.promise();
        next.whenComplete((fresh, failure) -> {
            Runnable finish = () -> {
                if (failure == null) {
                    set(headers, fresh);
                    promise.complete();
                } else {
                    promise.fail(failure);
                }
            };
            if (context == null) {
                finish.run();
            } else {
                context.runOnContext(v -> finish.run());
            }
        });
        return promise.future();
    }

    /** The fetch under way, or a new one. */
    private CompletableFuture<AccessToken> refresh() {
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        CompletableFuture<AccessToken> running = fetch.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        AccessToken latest = token;
        if (latest != null && OffsetDateTime.now().isBefore(latest.getExpiresAt().minus(refreshMargin))) {
            // Another fetch ended between the caller's look at the token and here.
            fetch.set(null);
            mine.complete(latest);
            return mine;
        }
        // Deferred and subscribed on a worker: whatever the credential does on subscribe stays off the event loop.
        Mono.defer(() -> credential.getToken(new TokenRequestContext().addScopes(SCOPE)))
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(fetchTimeout, Mono.error(() ->
                        new TimeoutException("no answer within " + fetchTimeout.toMillis() + " ms")))
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the credential returned no token")))
                .subscribe(fresh -> {
                    LOG.debugf("Got an Entra ID token for %s, expiring at %s", this, fresh.getExpiresAt());
                    token = fresh;
                    fetch.set(null);
                    mine.complete(fresh);
                }, failure -> {
                    LOG.warnf("Could not get an Entra ID token for %s: %s", this, failure.toString());
                    fetch.set(null);
                    mine.completeExceptionally(new CredentialUnavailableException(
                            "Could not get an Entra ID token for " + this + ": " + failure.getMessage(), failure));
                });
        return mine;
    }
}
