package dev.tollgate.apps;

import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** /api/apps through real HTTP with real tokens, over the test PostgreSQL; each test registers apps of its own. */
@QuarkusTest
class AppsResourceTest {

    private static final String ADMIN = TestTokens.withRoles("apps-admin", TestTokens.ADMIN_ROLE);
    private static final String SEEDED = "6c3f9a52-8d1e-4b7a-9f20-3e5d7c1a0b11";
    private static final String BODY = """
            {"displayName":"Claims triage","businessUnit":"Insurance","costCenter":"CC-4711",
             "ownerContact":"claims@contoso.example","tags":{"env":"prod","project":"Triage"}}""";

    @Inject
    AppRegistry registry;

    @Inject
    AppStore store;

    /** Apps a test registered, removed after it: the test database outlives the run. */
    private final List<String> created = new ArrayList<>();

    @AfterEach
    void removeCreatedApps() {
        created.forEach(store::delete);
    }

    @Test
    void theSeedFileOfTheTestProfileIsRegisteredAtStart() {
        admin().get("/api/apps/" + SEEDED).then().statusCode(200)
                .body("displayName", equalTo("Checkout assistant"))
                .body("businessUnit", equalTo("Retail"))
                .body("costCenter", equalTo("CC-1001"))
                .body("ownerContact", equalTo("checkout-team@contoso.example"))
                .body("tags", equalTo(Map.of("env", "prod", "project", "Atlas")));
        admin().get("/api/apps/seed-app-quoted").then().statusCode(200)
                .body("displayName", equalTo("Contoso \"Blue\", Inc. support bot"))
                .body("ownerContact", nullValue())
                .body("tags", equalTo(Map.of()));
        admin().get("/api/apps").then().statusCode(200)
                .body("appId", hasItems(SEEDED, "seed-app-quoted", "seed-app-plain"));
    }

    @Test
    void registerReadChangeAndDelete() {
        String id = UUID.randomUUID().toString();
        String path = "/api/apps/" + id;
        admin().get(path).then().statusCode(404).body("error.code", equalTo("404"))
                .body("error.message", equalTo("App '" + id + "' is not registered."));

        ValidatableResponse created = put(id, BODY).statusCode(201).header("Location", endsWith(path))
                .body("appId", equalTo(id))
                .body("displayName", equalTo("Claims triage"))
                .body("businessUnit", equalTo("Insurance"))
                .body("costCenter", equalTo("CC-4711"))
                .body("ownerContact", equalTo("claims@contoso.example"))
                .body("tags", equalTo(Map.of("env", "prod", "project", "Triage")))
                .body("createdAt", notNullValue());
        String createdAt = created.extract().path("createdAt");
        assertThat(created.extract().<String>path("updatedAt")).isEqualTo(createdAt);

        admin().get(path).then().statusCode(200).body("displayName", equalTo("Claims triage"))
                .body("createdAt", equalTo(createdAt));
        admin().get("/api/apps").then().statusCode(200).body("appId", hasItem(id));

        put(id, """
                {"displayName":"Claims triage v2","businessUnit":"Insurance","costCenter":"CC-4712"}""")
                .statusCode(200)
                .body("displayName", equalTo("Claims triage v2"))
                .body("costCenter", equalTo("CC-4712"))
                .body("ownerContact", nullValue())
                .body("tags", equalTo(Map.of()))
                .body("createdAt", equalTo(createdAt));

        admin().contentType("application/merge-patch+json")
                .body("{\"ownerContact\":\"claims-v2@contoso.example\",\"tags\":{\"env\":\"test\",\"team\":\"Claims\"}}")
                .patch(path).then().statusCode(200)
                .body("displayName", equalTo("Claims triage v2"))
                .body("ownerContact", equalTo("claims-v2@contoso.example"))
                .body("tags", equalTo(Map.of("env", "test", "team", "Claims")));
        admin().contentType(ContentType.JSON).body("{\"ownerContact\":null,\"tags\":{\"env\":null}}")
                .patch(path).then().statusCode(200)
                .body("ownerContact", nullValue())
                .body("tags", equalTo(Map.of("team", "Claims")));
        assertThat(registry.find(id)).contains(new RegisteredApp(id, "Claims triage v2", "Insurance", "CC-4712",
                null, Map.of("team", "Claims")));

        admin().delete(path).then().statusCode(204);
        admin().get(path).then().statusCode(404).body("error.code", equalTo("404"));
        admin().delete(path).then().statusCode(404).body("error.code", equalTo("404"));
        admin().contentType(ContentType.JSON).body("{}").patch(path).then().statusCode(404);
        admin().get("/api/apps").then().body("appId", not(hasItem(id)));
        assertThat(registry.find(id)).isEmpty();
    }

    @Test
    void anIdThatCouldNeverBeRegisteredIsNotFound() {
        String nul = "/api/apps/a%00b";
        admin().urlEncodingEnabled(false).get(nul).then().statusCode(404).body("error.code", equalTo("404"));
        admin().urlEncodingEnabled(false).delete(nul).then().statusCode(404).body("error.code", equalTo("404"));
        admin().urlEncodingEnabled(false).contentType(ContentType.JSON).body("{}").patch(nul).then().statusCode(404);
        admin().get("/api/apps/" + "x".repeat(129)).then().statusCode(404);
        assertThat(registry.find("a\u0000b")).isEmpty();
    }

    @Test
    void putIsIdempotent() {
        String id = "idempotent-" + UUID.randomUUID();
        Map<String, Object> first = put(id, BODY).statusCode(201).extract().jsonPath().getMap("$");
        Map<String, Object> second = put(id, BODY).statusCode(200).extract().jsonPath().getMap("$");
        assertThat(second).isEqualTo(first); // updatedAt included: nothing changed, so nothing was written
        assertThat(admin().get("/api/apps").then().extract().jsonPath().getList("appId", String.class))
                .containsOnlyOnce(id);
    }

    @Test
    void concurrentPutsOfANewAppRegisterItOnceWithoutAnError() throws Exception {
        String id = "concurrent-" + UUID.randomUUID();
        created.add(id);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(pool.submit(() -> admin().contentType(ContentType.JSON).body(BODY)
                        .put("/api/apps/" + id).statusCode()));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get(30, TimeUnit.SECONDS));
            }
            assertThat(answered).containsOnly(200, 201).containsOnlyOnce(201);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whatGetAnswersCanBePutBack() {
        String id = "round-trip-" + UUID.randomUUID();
        String shown = put(id, BODY).statusCode(201).extract().asString();
        put(id, shown).statusCode(200).body("displayName", equalTo("Claims triage"));
    }

    @Test
    void aBodyThatIsNotJsonIs400() {
        String id = "malformed-" + UUID.randomUUID();
        rejected(put(id, "{\"displayName\":\"x\","), "The body is not valid JSON (line 1");
        rejected(put(id, "not json"), "The body is not valid JSON");
        rejected(put(id, BODY + " trailing"), "The body is not valid JSON");
        rejected(put(id, "{\"displayName\":\"a\",\"displayName\":\"b\",\"businessUnit\":\"b\",\"costCenter\":\"c\"}"),
                "Duplicate field 'displayName'");
        rejected(put(id, ""), "The body is empty");
        rejected(put(id, "[1,2]"), "The body must be a JSON object; got array");
        rejected(admin().contentType(ContentType.JSON).body("{").put("/api/apps/" + SEEDED).then()
                .statusCode(400), "not valid JSON");
        rejected(admin().contentType(ContentType.JSON).body("{").patch("/api/apps/" + SEEDED).then()
                .statusCode(400), "not valid JSON");
        admin().get("/api/apps/" + id).then().statusCode(404);
    }

    @Test
    void anInvalidAppIs400AndNothingIsStored() {
        String id = "invalid-" + UUID.randomUUID();
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\"}"), "costCenter is required");
        rejected(put(id, "{\"displayName\":\"  \",\"businessUnit\":\"b\",\"costCenter\":\"c\"}"),
                "displayName is required");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":4711}"),
                "costCenter must be a JSON string; got number");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCentre\":\"c\"}"),
                "Unknown field 'costCentre'");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\" CC-1\"}"),
                "costCenter starts or ends with whitespace");
        rejected(put(id, "{\"displayName\":\"a\\u0007b\",\"businessUnit\":\"b\",\"costCenter\":\"c\"}"),
                "displayName contains a control character");
        rejected(put(id, "{\"displayName\":\"" + "x".repeat(201) + "\",\"businessUnit\":\"b\",\"costCenter\":\"c\"}"),
                "displayName is longer than 200 characters");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\",\"tags\":[\"env\"]}"),
                "tags must be a JSON object of strings");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\",\"tags\":{\"env\":1}}"),
                "Tag 'env' must have a string value; got number");
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\",\"tags\":{\"bad key\":\"v\"}}"),
                "Tag key 'bad key' is invalid");
        String tooMany = IntStream.range(0, 51).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","));
        rejected(put(id, "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\",\"tags\":{" + tooMany + "}}"),
                "At most 50 tags");
        rejected(put(id, "{\"appId\":\"other\",\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\"}"),
                "is not the app id of the path");
        admin().get("/api/apps/" + id).then().statusCode(404);

        rejected(put("x".repeat(129), BODY), "appId is longer than 128 characters");
        rejected(put("bell\u0007", BODY), "appId contains a control character");
        rejected(put(" padded", BODY), "appId starts or ends with whitespace");
    }

    @Test
    void anEmptyTagValueIsStoredAsAzureResourceTagsAllowIt() {
        String id = "empty-tag-" + UUID.randomUUID();
        String body = "{\"displayName\":\"x\",\"businessUnit\":\"b\",\"costCenter\":\"c\",\"tags\":{\"reviewed\":\"\"}}";
        put(id, body).statusCode(201).body("tags", equalTo(Map.of("reviewed", "")));
        patch(id, "{\"tags\":{\"env\":\"\"}}").statusCode(200)
                .body("tags", equalTo(Map.of("reviewed", "", "env", "")));
        assertThat(registry.find(id).orElseThrow().tags()).isEqualTo(Map.of("reviewed", "", "env", ""));
    }

    @Test
    void aPatchThatWouldMakeTheAppInvalidIs400AndChangesNothing() {
        String id = "patch-invalid-" + UUID.randomUUID();
        put(id, BODY).statusCode(201);
        rejected(patch(id, "{\"displayName\":null}"), "displayName is required");
        rejected(patch(id, "{\"costCenter\":\"\"}"), "costCenter is required");
        rejected(patch(id, "{\"tags\":{\"env\":true}}"), "Tag 'env' must have a string value");
        rejected(patch(id, "{\"owner\":\"x\"}"), "Unknown field 'owner'");
        admin().get("/api/apps/" + id).then().statusCode(200).body("displayName", equalTo("Claims triage"))
                .body("tags", equalTo(Map.of("env", "prod", "project", "Triage")));
    }

    @Test
    void withoutATokenIs401() {
        String path = "/api/apps/" + SEEDED;
        unauthorized(given().get("/api/apps"));
        unauthorized(given().get(path));
        unauthorized(given().contentType(ContentType.JSON).body(BODY).put(path));
        unauthorized(given().contentType(ContentType.JSON).body("{}").patch(path));
        unauthorized(given().delete(path));
        unauthorized(given().auth().oauth2(TestTokens.forged("apps-admin")).get("/api/apps"));
    }

    @Test
    void withoutTheAdminRoleIs403() {
        String id = "forbidden-" + UUID.randomUUID();
        String reader = TestTokens.withRoles("apps-reader", TestTokens.READER_ROLE);
        for (String token : new String[] {reader, TestTokens.v1("apps-caller")}) {
            forbidden(given().auth().oauth2(token).get("/api/apps"));
            forbidden(given().auth().oauth2(token).get("/api/apps/" + SEEDED));
            forbidden(given().auth().oauth2(token).contentType(ContentType.JSON).body(BODY).put("/api/apps/" + id));
            forbidden(given().auth().oauth2(token).contentType(ContentType.JSON).body("{}").patch("/api/apps/" + SEEDED));
            forbidden(given().auth().oauth2(token).delete("/api/apps/" + SEEDED));
        }
        admin().get("/api/apps/" + id).then().statusCode(404);
        admin().get("/api/apps/" + SEEDED).then().statusCode(200);
    }

    @Test
    void theRegistryFindsRegisteredAppsOnly() {
        assertThat(registry.find(SEEDED)).contains(new RegisteredApp(SEEDED, "Checkout assistant", "Retail", "CC-1001",
                "checkout-team@contoso.example", Map.of("env", "prod", "project", "Atlas")));
        assertThat(registry.find("never-registered-" + UUID.randomUUID())).isEmpty();
        assertThat(registry.find(null)).isEmpty();
        assertThat(registry.all()).extracting(RegisteredApp::appId)
                .contains(SEEDED, "seed-app-quoted", "seed-app-plain").isSorted();
    }

    private static RequestSpecification admin() {
        return given().auth().oauth2(ADMIN);
    }

    private ValidatableResponse put(String id, String body) {
        created.add(id);
        return admin().contentType(ContentType.JSON).body(body).pathParam("id", id).put("/api/apps/{id}").then();
    }

    private static ValidatableResponse patch(String id, String body) {
        return admin().contentType(ContentType.JSON).body(body).pathParam("id", id).patch("/api/apps/{id}").then();
    }

    private static void rejected(ValidatableResponse response, String message) {
        response.statusCode(400).contentType(ContentType.JSON).body("error.code", equalTo("BadRequest"))
                .body("error.message", containsString(message));
    }

    private static void unauthorized(io.restassured.response.Response response) {
        response.then().statusCode(401).contentType(ContentType.JSON).body("error.code", equalTo("401"));
    }

    private static void forbidden(io.restassured.response.Response response) {
        response.then().statusCode(403).contentType(ContentType.JSON).body("error.code", equalTo("403"));
    }
}
