package dev.tollgate.routing.credentials;

import dev.tollgate.support.ClientSecretSettings;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client-secret credential, as built by {@link TokenCredentials#of}, against a fake Entra ID token
 * endpoint over HTTPS: the real azure-identity and MSAL code makes the token requests.
 */
class EntraIdClientSecretTest {

    private static final String TENANT = "7f3c9a52-1b0e-4d8a-9c61-2e5f0a4b8d17";
    private static final String CLIENT_ID = "0b6d2e41-8c3f-4a7e-b915-5d2c7e8f1a90";
    private static final String SECRET = "s3cr3t~Value.Of-The_App";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static FakeEntraEndpoint entra;

    EntraIdCredential credential;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        entra = new FakeEntraEndpoint(vertx, dir);
    }

    @AfterAll
    static void stop() throws Exception {
        entra.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void freshCredential() {
        entra.tokenRequests.clear();
        entra.expiresIn = 3599;
        entra.failing = false;
        entra.gate = null;
        // A new credential has a new MSAL application, with an empty token cache of its own.
        credential = new EntraIdCredential("client-secret", TokenCredentials.of("test",
                new ClientSecretSettings(TENANT, CLIENT_ID, SECRET, entra.authorityHost()), entra.httpClient()), EntraIdCredential.DEFAULT_REFRESH_MARGIN);
    }

    @Test
    void sendsTheTokenIssuedForTheClientSecret() {
        Context context = vertx.getOrCreateContext();

        ContextCall call = ContextCall.start(credential, context);

        assertThat(call.outcome().succeeded()).isTrue();
        assertThat(call.endedOn).isSameAs(context);
        assertThat(call.authorization()).isEqualTo("Bearer " + entra.lastIssued());
        assertThat(entra.tokenRequests).hasSize(1);
        FakeEntraEndpoint.TokenRequest request = entra.tokenRequests.get(0);
        assertThat(request.tenant()).isEqualTo(TENANT);
        assertThat(request.form()).containsEntry("grant_type", "client_credentials")
                .containsEntry("client_id", CLIENT_ID)
                .containsEntry("client_secret", SECRET);
        // MSAL adds the OpenID scopes to every request; Entra ignores them for client_credentials.
        assertThat(request.form().get("scope").split(" ")).contains(EntraIdCredential.SCOPE);
        assertThat(entra.otherRequests).isEmpty();
    }

    @Test
    void hundredConcurrentCallsBeforeTheFirstTokenMakeOneTokenRequest() {
        entra.gate = Promise.promise();
        List<Context> contexts = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(),
                vertx.getOrCreateContext(), vertx.getOrCreateContext());
        List<ContextCall> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(ContextCall.start(credential, contexts.get(i % contexts.size())));
        }
        assertThat(calls).noneMatch(ContextCall::returnedAtOnce);
        await().atMost(Duration.ofSeconds(30)).until(() -> entra.tokenRequests.size() == 1);

        entra.gate.complete();

        for (ContextCall call : calls) {
            assertThat(call.outcome().succeeded()).isTrue();
            assertThat(call.endedOn).isSameAs(call.context);
            assertThat(call.authorization()).isEqualTo("Bearer " + entra.lastIssued());
        }
        assertThat(entra.tokenRequests).hasSize(1);
    }

    @Test
    void aValidTokenIsReusedWithoutAnotherRequest() {
        Context context = vertx.getOrCreateContext();
        assertThat(ContextCall.start(credential, context).outcome().succeeded()).isTrue();
        String first = entra.lastIssued();

        ContextCall again = ContextCall.make(credential, context);

        assertThat(again.returnedAtOnce()).isTrue();
        assertThat(again.authorization()).isEqualTo("Bearer " + first);
        assertThat(entra.tokenRequests).hasSize(1);
    }

    @Test
    void aTokenInsideTheMarginIsServedWhileOneBackgroundRefreshRuns() {
        Context context = vertx.getOrCreateContext();
        entra.expiresIn = 120; // inside the 5 minute margin from the start
        assertThat(ContextCall.start(credential, context).outcome().succeeded()).isTrue();
        String old = entra.lastIssued();
        entra.expiresIn = 3599;
        entra.gate = Promise.promise();

        for (int i = 0; i < 20; i++) {
            ContextCall call = ContextCall.make(credential, context);
            assertThat(call.returnedAtOnce()).isTrue();
            assertThat(call.authorization()).isEqualTo("Bearer " + old);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> entra.tokenRequests.size() == 2);
        entra.gate.complete();

        await().atMost(Duration.ofSeconds(30)).until(() ->
                !ContextCall.make(credential, context).authorization().equals("Bearer " + old));
        ContextCall after = ContextCall.make(credential, context);
        assertThat(after.returnedAtOnce()).isTrue();
        assertThat(after.authorization()).isEqualTo("Bearer " + entra.lastIssued()).isNotEqualTo("Bearer " + old);
        assertThat(entra.tokenRequests).hasSize(2);
    }

    @Test
    void aFailingEndpointFailsTheFutureAndTheNextCallAsksAgain() {
        Context context = vertx.getOrCreateContext();
        entra.failing = true;

        ContextCall failed = ContextCall.start(credential, context);

        AsyncResult<Void> outcome = failed.outcome();
        assertThat(outcome.failed()).isTrue();
        assertThat(failed.endedOn).isSameAs(context);
        assertThat(outcome.cause()).hasMessageContaining("Could not get an Entra ID token for entra-id(client-secret)")
                .hasMessageContaining("AADSTS7000215")
                .hasMessageNotContaining(SECRET);
        assertThat(failed.authorization()).isNull();
        assertThat(entra.tokenRequests).hasSize(1);

        entra.failing = false;
        ContextCall next = ContextCall.start(credential, context);

        assertThat(next.outcome().succeeded()).isTrue();
        assertThat(next.authorization()).isEqualTo("Bearer " + entra.lastIssued());
        assertThat(entra.tokenRequests).hasSize(2);
        assertThat(entra.tokenRequests).extracting(FakeEntraEndpoint.TokenRequest::form)
                .allSatisfy((Map<String, String> form) -> assertThat(form).containsEntry("client_secret", SECRET));
    }
}
