package dev.tollgate.reporting;

import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** /api/usage through real HTTP, over rows the gateway itself metered from real requests. */
@QuarkusTest
class UsageReportTest {

    private static final String READER = TestTokens.withRoles("finance-app", UsageReportResource.READER_ROLE);

    @Test
    void reportTotalsMatchWhatTheUpstreamReportedForEachApp() {
        Instant from = Instant.now().minusSeconds(1);
        String appA = "report-a-" + UUID.randomUUID();
        String appB = "report-b-" + UUID.randomUUID();
        long expectedA = send(appA, 3, "gpt-4o") + send(appA, 1, "text-embedding-3-small");
        long expectedB = send(appB, 2, "gpt-4o");

        JsonPath report = awaitReport(from, "app", appA, 4);
        assertThat(row(report, appA).get("totals")).satisfies(totals -> {
            assertThat(((Map<?, ?>) totals).get("requests")).isEqualTo(4);
            assertThat(((Number) ((Map<?, ?>) totals).get("totalTokens")).longValue()).isEqualTo(expectedA);
        });
        assertThat(((Number) ((Map<?, ?>) row(report, appB).get("totals")).get("totalTokens")).longValue()).isEqualTo(expectedB);
    }

    @Test
    void everyGroupingSumsToTheSameGrandTotal() {
        Instant from = Instant.now().minusSeconds(1);
        String app = "report-groups-" + UUID.randomUUID();
        send(app, 2, "gpt-4o");
        send(app, 1, "text-embedding-3-small");
        awaitReport(from, "app", app, 3);
        Instant to = Instant.now().plusSeconds(1);

        long byApp = grandTotal(from, to, "app");
        for (String grouping : List.of("model", "deployment", "day")) {
            assertThat(grandTotal(from, to, grouping)).as(grouping).isEqualTo(byApp);
        }
        JsonPath byModel = report(from, to, "model");
        assertThat(byModel.getList("rows.key", String.class)).contains("gpt-4o-2024-08-06", "text-embedding-3-small");
    }

    @Test
    void withoutTheReaderRoleIs403() {
        given().auth().oauth2(TestTokens.v1("nosy-app")).get("/api/usage")
                .then().statusCode(403).body("error.code", equalTo("403"));
    }

    @Test
    void withoutATokenIs401() {
        given().get("/api/usage").then().statusCode(401).body("error.code", equalTo("401"));
    }

    @Test
    void anUnknownGroupingIs400() {
        given().auth().oauth2(READER).queryParam("groupBy", "planet").get("/api/usage")
                .then().statusCode(400).body("error.code", equalTo("BadRequest"));
    }

    @Test
    void anUnreadableDateIs400() {
        given().auth().oauth2(READER).queryParam("from", "last tuesday").get("/api/usage")
                .then().statusCode(400).body("error.code", equalTo("BadRequest"));
    }

    @Test
    void anEmptyPeriodIs400() {
        given().auth().oauth2(READER).queryParam("from", "2026-11-02").queryParam("to", "2026-11-01").get("/api/usage")
                .then().statusCode(400).body("error.code", equalTo("BadRequest"));
    }

    /** Sends requests as that app and returns the total tokens the upstream reported for them. */
    private static long send(String app, int count, String deployment) {
        boolean embeddings = deployment.startsWith("text-embedding");
        String path = "/openai/deployments/" + deployment + (embeddings ? "/embeddings" : "/chat/completions")
                + "?api-version=2024-10-21";
        String body = embeddings ? "{\"input\":\"the quick brown fox\"}"
                : "{\"messages\":[{\"role\":\"user\",\"content\":\"What does a toll gate cost?\"}]}";
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += given().contentType("application/json").auth().oauth2(TestTokens.v1(app)).body(body).post(path)
                    .then().statusCode(200).extract().<Integer>path("usage.total_tokens");
        }
        return total;
    }

    private static JsonPath awaitReport(Instant from, String groupBy, String app, int requests) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> report(from, Instant.now().plusSeconds(1), groupBy),
                report -> row(report, app) != null && ((Map<?, ?>) row(report, app).get("totals")).get("requests").equals(requests));
    }

    private static JsonPath report(Instant from, Instant to, String groupBy) {
        return given().auth().oauth2(READER).queryParam("from", from.toString()).queryParam("to", to.toString())
                .queryParam("groupBy", groupBy).get("/api/usage").then().statusCode(200).extract().jsonPath();
    }

    private static long grandTotal(Instant from, Instant to, String groupBy) {
        JsonPath report = report(from, to, groupBy);
        long summed = report.getList("rows.totals.totalTokens", Long.class).stream().mapToLong(Long::longValue).sum();
        assertThat(report.getLong("total.totalTokens")).as("grand total of " + groupBy).isEqualTo(summed);
        return summed;
    }

    private static Map<?, ?> row(JsonPath report, String key) {
        List<Map<?, ?>> rows = report.getList("rows");
        return rows.stream().filter(r -> key.equals(r.get("key"))).findFirst().orElse(null);
    }
}
