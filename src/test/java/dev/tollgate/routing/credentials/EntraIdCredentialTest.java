package dev.tollgate.routing.credentials;

import dev.tollgate.support.ClientSecretSettings;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The token cache and the single fetch, driven by a credential whose answers the test gives by hand. */
class EntraIdCredentialTest {

    static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Answers each getToken with a Mono that ends when the test says. */
    static final class HandDriven implements TokenCredential {
        final List<Sinks.One<AccessToken>> fetches = new CopyOnWriteArrayList<>();
        final List<TokenRequestContext> requests = new CopyOnWriteArrayList<>();
        final List<Boolean> onVertxThread = new CopyOnWriteArrayList<>();

        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            requests.add(request);
            onVertxThread.add(Context.isOnVertxThread());
            Sinks.One<AccessToken> fetch = Sinks.one();
            fetches.add(fetch);
            return fetch.asMono();
        }

        /** Waits for fetch number n (from 1) to start, then answers it. */
        void answer(int n, AccessToken token) {
            started(n).tryEmitValue(token).orThrow();
        }

        void fail(int n, Throwable failure) {
            started(n).tryEmitError(failure).orThrow();
        }

        Sinks.One<AccessToken> started(int n) {
            await().atMost(Duration.ofSeconds(10)).until(() -> fetches.size() >= n);
            return fetches.get(n - 1);
        }
    }

    static AccessToken token(String value, Duration lifetime) {
        return new AccessToken(value, OffsetDateTime.now().plus(lifetime));
    }

    final HandDriven credential = new HandDriven();
    final EntraIdCredential entraId = new EntraIdCredential(credential);
    final Context context = vertx.getOrCreateContext();

    /** Gives the credential a token, through a first call. */
    void prime(AccessToken token) {
        ContextCall first = ContextCall.start(entraId, context);
        credential.answer(1, token);
        assertThat(first.outcome().succeeded()).isTrue();
    }

    @Test
    void theFirstCallWaitsForTheFetchAndEndsOnItsOwnContext() {
        ContextCall call = ContextCall.make(entraId, context);
        assertThat(call.returnedAtOnce()).isFalse();

        credential.answer(1, token("first", Duration.ofHours(1)));

        assertThat(call.outcome().succeeded()).isTrue();
        assertThat(call.endedOn).isSameAs(context);
        assertThat(call.authorization()).isEqualTo("Bearer first");
        assertThat(credential.requests).singleElement()
                .satisfies(request -> assertThat(request.getScopes()).containsExactly(EntraIdCredential.SCOPE));
        assertThat(credential.onVertxThread).containsExactly(false); // the fetch starts off the event loop
    }

    @Test
    void hundredConcurrentCallsShareOneFetch() {
        List<Context> contexts = List.of(context, vertx.getOrCreateContext(), vertx.getOrCreateContext(),
                vertx.getOrCreateContext());
        List<ContextCall> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(ContextCall.start(entraId, contexts.get(i % contexts.size())));
        }
        assertThat(calls).noneMatch(ContextCall::returnedAtOnce);

        credential.answer(1, token("shared", Duration.ofHours(1)));

        for (ContextCall call : calls) {
            assertThat(call.outcome().succeeded()).isTrue();
            assertThat(call.endedOn).isSameAs(call.context);
            assertThat(call.authorization()).isEqualTo("Bearer shared");
        }
        assertThat(credential.fetches).hasSize(1);
    }

    @Test
    void aValidTokenIsSetAtOnceWithoutAnotherFetch() {
        prime(token("valid", Duration.ofHours(1)));

        for (int i = 0; i < 20; i++) {
            ContextCall call = ContextCall.make(entraId, context);
            assertThat(call.returnedAtOnce()).isTrue();
            assertThat(call.authorization()).isEqualTo("Bearer valid");
        }
        assertThat(credential.fetches).hasSize(1);
    }

    @Test
    void aTokenInsideTheMarginIsServedWhileOneRefreshRuns() {
        prime(token("old", Duration.ofMinutes(2)));

        for (int i = 0; i < 20; i++) {
            ContextCall call = ContextCall.make(entraId, context);
            assertThat(call.returnedAtOnce()).isTrue();
            assertThat(call.authorization()).isEqualTo("Bearer old");
        }
        credential.answer(2, token("new", Duration.ofHours(1)));

        await().atMost(Duration.ofSeconds(10)).until(() ->
                ContextCall.make(entraId, context).authorization().equals("Bearer new"));
        assertThat(ContextCall.make(entraId, context).returnedAtOnce()).isTrue();
        assertThat(credential.fetches).hasSize(2);
    }

    @Test
    void anExpiredTokenIsNotSentAndTheCallWaitsForTheRefresh() {
        prime(token("expired", Duration.ofSeconds(-1)));

        ContextCall call = ContextCall.make(entraId, context);
        assertThat(call.returnedAtOnce()).isFalse();
        credential.answer(2, token("renewed", Duration.ofHours(1)));

        assertThat(call.outcome().succeeded()).isTrue();
        assertThat(call.authorization()).isEqualTo("Bearer renewed");
    }

    @Test
    void aFailedFetchFailsTheWaitingCallsAndTheNextCallFetchesAgain() {
        List<ContextCall> waiting = List.of(ContextCall.make(entraId, context),
                ContextCall.make(entraId, vertx.getOrCreateContext()));

        credential.fail(1, new RuntimeException("AADSTS700016: Application not found in the directory"));

        for (ContextCall call : waiting) {
            AsyncResult<Void> outcome = call.outcome();
            assertThat(outcome.failed()).isTrue();
            assertThat(outcome.cause()).hasMessage("Could not get an Entra ID token for entra-id(custom): "
                    + "AADSTS700016: Application not found in the directory");
            assertThat(call.endedOn).isSameAs(call.context);
            assertThat(call.authorization()).isNull();
        }
        assertThat(credential.fetches).hasSize(1); // no retry on its own

        ContextCall next = ContextCall.make(entraId, context);
        credential.answer(2, token("second-try", Duration.ofHours(1)));

        assertThat(next.outcome().succeeded()).isTrue();
        assertThat(next.authorization()).isEqualTo("Bearer second-try");
        assertThat(credential.fetches).hasSize(2);
    }

    @Test
    void aFailedBackgroundRefreshKeepsServingTheStillValidToken() {
        prime(token("old", Duration.ofMinutes(2)));
        assertThat(ContextCall.make(entraId, context).authorization()).isEqualTo("Bearer old");

        credential.fail(2, new RuntimeException("endpoint down"));

        // The next call still has the old token, and starts the next refresh.
        ContextCall call = ContextCall.make(entraId, context);
        assertThat(call.returnedAtOnce()).isTrue();
        assertThat(call.authorization()).isEqualTo("Bearer old");
        credential.started(3);
        assertThat(credential.fetches).hasSize(3);
    }

    @Test
    void aCredentialThatThrowsOrGivesNothingFailsTheFutureWithoutThrowing() {
        EntraIdCredential throwing = new EntraIdCredential(request -> {
            throw new IllegalStateException("no such identity");
        });
        EntraIdCredential empty = new EntraIdCredential(request -> Mono.empty());

        assertThat(ContextCall.start(throwing, context).outcome().cause())
                .hasMessageContaining("no such identity");
        assertThat(ContextCall.start(empty, context).outcome().cause())
                .hasMessageContaining("the credential returned no token");
    }

    @Test
    void aFetchThatNeverEndsIsGivenUpAndTheNextCallFetchesAgain() {
        AtomicInteger fetches = new AtomicInteger();
        EntraIdCredential hanging = new EntraIdCredential("custom", request -> {
            fetches.incrementAndGet();
            return Mono.never();
        }, EntraIdCredential.DEFAULT_REFRESH_MARGIN, Duration.ofMillis(200));

        assertThat(ContextCall.start(hanging, context).outcome().cause()).hasMessageContaining("no answer within");
        assertThat(ContextCall.start(hanging, context).outcome().failed()).isTrue();
        assertThat(fetches).hasValue(2);
    }

    @Test
    void toStringNamesTheKindAndNoSecret() {
        assertThat(entraId).hasToString("entra-id(custom)");
        assertThat(new EntraIdCredential("client-secret", TokenCredentials.of("test",
                new ClientSecretSettings("tenant", "client", "the-secret", null), null),
                EntraIdCredential.DEFAULT_REFRESH_MARGIN)).hasToString("entra-id(client-secret)");
        // Each kind, as configured: CredentialsTest.
    }
}
