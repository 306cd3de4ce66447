package dev.tollgate.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.ErrorWriter;
import dev.tollgate.support.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * The gateway's token check in front of a Vert.x router of the test's own, as {@code GatewayRoutes} wires it (token,
 * then body, then the identity stage), through real HTTP with real tokens: the cap on new tokens being verified at
 * once, with caps of 0 and 1 so that nothing depends on timing. The app's own routes are covered by the
 * {@code @QuarkusTest}s; this needs a cap the shared test profile cannot have.
 */
class IdentityStageTest {

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CachingJwtParser tokens;
    private int port;

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aNewTokenPastTheCapIsRefusedWith503AndRetryAfterButACachedTokenIsNot() throws ParseException {
        startWithCap(0);
        String cached = TestTokens.v2("app-cap-cached");
        tokens.verify("Bearer " + cached);

        gateway().header("Authorization", "Bearer " + TestTokens.v2("app-cap-new")).body("{}").post("/chat")
                .then().statusCode(503).header("retry-after", "1")
                .body("error.code", equalTo("ServiceUnavailable"));
        gateway().header("Authorization", "Bearer " + cached).body("{}").post("/chat")
                .then().statusCode(200).body(equalTo("app-cap-cached"));

        assertThat(refused("verifications_full")).isEqualTo(1.0);
        assertThat(refused("unauthenticated")).isZero();
    }

    /** A verification gives its place back whether the token passed or failed: one at a time, each after the other. */
    @Test
    void aFinishedVerificationFreesItsPlace() {
        startWithCap(1);

        gateway().header("Authorization", "Bearer " + TestTokens.forged("app-cap-forged")).body("{}").post("/chat")
                .then().statusCode(401).body("error.code", equalTo("401"));
        gateway().header("Authorization", "Bearer " + TestTokens.v1("app-cap-one")).body("{}").post("/chat")
                .then().statusCode(200).body(equalTo("app-cap-one"));
        gateway().header("Authorization", "Bearer " + TestTokens.v2("app-cap-two")).body("{}").post("/chat")
                .then().statusCode(200).body(equalTo("app-cap-two"));

        assertThat(refused("verifications_full")).isZero();
        assertThat(refused("unauthenticated")).isEqualTo(1.0);
    }

    /** Without a token nothing is verified: 401 even when no verification may start. */
    @Test
    void noTokenIsRefusedWith401WhateverTheCap() {
        startWithCap(0);
        gateway().body("{}").post("/chat").then().statusCode(401).header("WWW-Authenticate", "Bearer");

        assertThat(refused("verifications_full")).isZero();
        assertThat(refused("unauthenticated")).isEqualTo(1.0);
    }

    private void startWithCap(int cap) {
        IdentityConfig config = IdentityConfigs.with(
                Map.of("tollgate.identity.max-verifications-in-flight", Integer.toString(cap)));
        tokens = new CachingJwtParser(config, new CallerResolver(config));
        IdentityStage stage = new IdentityStage(tokens, config, new ErrorWriter(new ObjectMapper()), registry);
        BodyHandler body = BodyHandler.create(false);
        Router router = Router.router(vertx);
        router.post("/chat").handler(context -> stage.authenticate(context, body)).handler(context -> answer(stage, context));
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().join();
        port = server.actualPort();
    }

    private RequestSpecification gateway() {
        return given().baseUri("http://127.0.0.1").port(port).contentType("application/json");
    }

    /** The rest of the chain, here: the caller's app id. */
    private static void answer(IdentityStage stage, RoutingContext context) {
        if (stage.enter(context)) {
            context.response().end(IdentityStage.caller(context).appId());
        }
    }

    private double refused(String reason) {
        return registry.counter("tollgate.gateway.refused", "reason", reason).count();
    }
}
