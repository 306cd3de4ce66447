package dev.tollgate.identity;

import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;

/** Every way a caller's token can be wrong, through real HTTP, with tokens signed for real. */
@QuarkusTest
class CallerAuthenticationTest {

    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void v1TokenIsAccepted() {
        call(TestTokens.v1("app-auth-v1")).statusCode(200).body("usage.total_tokens", notNullValue());
    }

    @Test
    void v2TokenIsAccepted() {
        call(TestTokens.v2("app-auth-v2")).statusCode(200).body("usage.total_tokens", notNullValue());
    }

    @Test
    void missingTokenIs401() {
        given().contentType("application/json").body(BODY).post(CHAT)
                .then().statusCode(401).body("error.code", equalTo("401"))
                .header("WWW-Authenticate", "Bearer")
                .body("error.message", containsString("missing bearer token"));
    }

    @Test
    void apiKeyInsteadOfTokenIs401() {
        given().contentType("application/json").header("api-key", "sim-key").body(BODY).post(CHAT)
                .then().statusCode(401).body("error.code", equalTo("401"));
    }

    @Test
    void forgedSignatureIs401() {
        rejected(call(TestTokens.forged("app-auth-forged")));
    }

    @Test
    void expiredTokenIs401() {
        rejected(call(TestTokens.expired("app-auth-expired")));
    }

    @Test
    void foreignIssuerIs401() {
        rejected(call(TestTokens.issuedBy("https://sts.windows.net/another-tenant/", "app-auth-issuer")));
    }

    @Test
    void wrongAudienceIs401() {
        rejected(call(TestTokens.forAudience("api://someone-else", "app-auth-audience")));
    }

    @Test
    void garbageTokenIs401() {
        rejected(call("not.a.jwt"));
    }

    /** The second call is answered from the token cache, on the event loop; the first verified it on a worker. */
    @Test
    void aTokenSeenBeforeIsAcceptedAgain() {
        String token = TestTokens.v2("app-auth-again");
        call(token).statusCode(200);
        call(token).statusCode(200).body("usage.total_tokens", notNullValue());
    }

    /** The cache is keyed by the whole token: a cached token's header and claims under another signature are not it. */
    @Test
    void anotherSignatureOnACachedTokenIs401() {
        String token = TestTokens.v2("app-auth-tampered");
        call(token).statusCode(200);
        int signature = token.lastIndexOf('.') + 1;
        rejected(call(token.substring(0, signature) + (token.charAt(signature) == 'A' ? 'B' : 'A')
                + token.substring(signature + 1)));
    }

    @Test
    void lowerCaseBearerSchemeIsAccepted() {
        given().contentType("application/json").header("Authorization", "bearer " + TestTokens.v2("app-auth-case"))
                .body(BODY).post(CHAT).then().statusCode(200);
    }

    @Test
    void basicAuthorizationIs401() {
        given().contentType("application/json").header("Authorization", "Basic dXNlcjpwYXNz").body(BODY).post(CHAT)
                .then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body("error.message", containsString("missing bearer token"));
    }

    /** The REST APIs authenticate lazily (Quarkus security), and refuse in the same shape as the gateway. */
    @Test
    void restApiRefusesAnInvalidOrMissingTokenInTheErrorShape() {
        given().auth().oauth2(TestTokens.forged("ops-forged")).get("/api/backends")
                .then().statusCode(401).contentType("application/json").header("WWW-Authenticate", "Bearer")
                .body("error.code", equalTo("401"));
        given().get("/api/backends")
                .then().statusCode(401).contentType("application/json").header("WWW-Authenticate", "Bearer")
                .body("error.code", equalTo("401"));
    }

    /** Unauthenticated endpoints do not look at the token at all (lazy authentication). */
    @Test
    void healthIgnoresAnInvalidToken() {
        given().auth().oauth2("not.a.jwt").get("/q/health/live").then().statusCode(200);
    }

    @Test
    void tokenWithoutAppIdIs403() {
        call(TestTokens.withoutAppId()).statusCode(403).body("error.code", equalTo("403"))
                .body("error.message", containsString("azp"));
    }

    /** Refused callers are not metered, and Quarkus' per-request HTTP metrics are off: this counter is where they show. */
    @Test
    void refusedCallersAreCounted() {
        double before = refusedUnauthenticated();
        given().contentType("application/json").body(BODY).post(CHAT).then().statusCode(401);
        rejected(call("not.a.jwt"));
        assertThat(refusedUnauthenticated()).isEqualTo(before + 2);
    }

    private static double refusedUnauthenticated() {
        // "<series> <value>", possibly followed by an exemplar ("# {trace_id=…} 1.0 <timestamp>": tracing is on here)
        String series = "tollgate_gateway_refused_total{reason=\"unauthenticated\"} ";
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length()).split(" ", 2)[0]))
                .findFirst().orElse(0);
    }

    private static ValidatableResponse call(String token) {
        return given().contentType("application/json").auth().oauth2(token).body(BODY).post(CHAT).then();
    }

    private static void rejected(ValidatableResponse response) {
        response.statusCode(401).contentType("application/json").body("error.code", equalTo("401"))
                .body("error.message", containsString("invalid"));
    }
}
