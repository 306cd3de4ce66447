package dev.tollgate.reporting;

import dev.tollgate.routing.DeploymentType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.support.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * /api/chargeback and /api/prices through real HTTP over records written by the real writer (which prices them and
 * maintains the rollups) into the real PostgreSQL, checked against the test's own recomputation of every cost.
 */
@QuarkusTest
class ChargebackTest {

    static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static ChargebackDataset data;

    @Inject
    UsageWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void loadTheMonthOnce() throws Exception {
        if (data != null) {
            return;
        }
        ChargebackDataset dataset = new ChargebackDataset();
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(dataset.prices.stream().map(ChargebackDataset.TestPrice::json).toList())
                .post("/api/prices").then().statusCode(200).body("added", equalTo(dataset.prices.size()));
        register(dataset.appA, "Retail " + dataset.run, "CC-100-" + dataset.run);
        register(dataset.appB, "Retail " + dataset.run, "CC-200-" + dataset.run);
        register(dataset.appD, "Logistics " + dataset.run, "CC-300-" + dataset.run);
        writer.write(dataset.records);
        writer.write(dataset.records); // a retried batch: must change neither the records nor the rollups
        data = dataset;
    }

    @Test
    void eachAppCostsWhatTheTestComputesFromTheTokensAndThePriceRows() throws Exception {
        JsonNode report = report("groupBy=app");
        for (String app : List.of(data.appA, data.appB, data.appC, data.appD)) {
            JsonNode row = row(report, "app", app);
            List<UsageRecord> records = data.records.stream().filter(r -> r.appId().equals(app)).toList();
            assertFigures(row, records);
        }
        assertThat(row(report, "app", data.appC).get("group").get("appName").asText())
                .isEqualTo(ChargebackGrouping.UNREGISTERED);
        assertThat(row(report, "app", data.appA).get("group").get("appName").asText()).isEqualTo("App " + data.appA);
    }

    @Test
    void theServedModelIsPricedNotTheDeploymentAskedFor() throws Exception {
        Map<String, List<UsageRecord>> expected = new TreeMap<>();
        data.records.stream().filter(r -> r.appId().equals(data.appA))
                .forEach(r -> expected.computeIfAbsent(r.deployment() + " / " + r.model(), k -> new ArrayList<>()).add(r));
        Map<String, JsonNode> actual = new TreeMap<>();
        for (JsonNode row : report("groupBy=app,deployment,model").get("rows")) {
            if (row.get("group").get("app").asText().equals(data.appA)) {
                JsonNode model = row.get("group").get("model");
                actual.put(row.get("group").get("deployment").asText() + " / " + (model.isNull() ? null : model.asText()),
                        row);
            }
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((group, records) -> assertFigures(actual.get(group), records));
        // The fallback: the small deployment asked for, the large model served and priced at its prices.
        JsonNode fallback = actual.get("small / " + data.large + "-2026-01-01");
        assertThat(fallback).as("a fallback group").isNotNull();
        assertThat(fallback.get("cost").decimalValue()).isPositive();
    }

    @Test
    void everyGroupingSumsToTheSameGrandTotal() throws Exception {
        JsonNode reference = report("").get("total");
        for (String groupBy : List.of("app", "businessUnit", "costCenter", "model", "deployment", "backend", "day",
                "month", "app,day", "businessUnit,model,month", "costCenter,backend,deployment", "day,app,model")) {
            JsonNode report = report("groupBy=" + groupBy);
            assertThat(report.get("total")).as(groupBy).isEqualTo(reference);
            Map<String, BigDecimal> sums = new TreeMap<>();
            for (JsonNode row : report.get("rows")) {
                for (String figure : List.of("requests", "inputTokens", "cachedInputTokens", "outputTokens",
                        "reasoningTokens", "totalTokens", "cost", "unpricedTokens", "estimatedRequests")) {
                    sums.merge(figure, row.get(figure).decimalValue(), BigDecimal::add);
                }
            }
            sums.forEach((figure, sum) ->
                    assertThat(sum).as(groupBy + " " + figure).isEqualByComparingTo(reference.get(figure).decimalValue()));
        }
        JsonNode byUnit = report("groupBy=businessUnit");
        assertFigures(row(byUnit, "businessUnit", "Retail " + data.run), data.records.stream()
                .filter(r -> r.appId().equals(data.appA) || r.appId().equals(data.appB)).toList());
    }

    @Test
    void theCsvReadsBackAsTheJsonFigures() throws Exception {
        JsonNode json = report("groupBy=app,day");
        String viaAccept = given().auth().oauth2(READER).accept("text/csv")
                .get("/api/chargeback?from=2026-03-01&to=2026-04-01&groupBy=app,day")
                .then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        String viaFormat = given().auth().oauth2(READER)
                .get("/api/chargeback?from=2026-03-01&to=2026-04-01&groupBy=app,day&format=csv")
                .then().statusCode(200).extract().asString();
        assertThat(viaFormat).isEqualTo(viaAccept);
        assertThat(viaAccept).startsWith(ChargebackCsv.BYTE_ORDER_MARK);

        List<Map<String, String>> lines = new ArrayList<>();
        Iterator<Map<String, String>> reader = new CsvMapper().readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(viaAccept.substring(1));
        reader.forEachRemaining(lines::add);
        assertThat(lines).hasSize(json.get("rows").size());
        for (int i = 0; i < lines.size(); i++) {
            Map<String, String> line = lines.get(i);
            JsonNode row = json.get("rows").get(i);
            // Idle provisioned capacity has no app: an empty cell, a JSON null.
            assertThat(line.get("app")).isEqualTo(row.get("group").get("app").isNull() ? ""
                    : row.get("group").get("app").asText());
            assertThat(line.get("day")).isEqualTo(row.get("group").get("day").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
            for (String figure : List.of("requests", "inputTokens", "cachedInputTokens", "outputTokens",
                    "reasoningTokens", "totalTokens", "unpricedRequests", "unpricedTokens")) {
                assertThat(Long.parseLong(line.get(figure))).as(figure).isEqualTo(row.get(figure).asLong());
            }
            assertThat(line.get("cost")).doesNotContain("E").doesNotContain(",");
            assertThat(new BigDecimal(line.get("cost"))).isEqualByComparingTo(row.get("cost").decimalValue());
            assertThat(line.get("currency")).isEqualTo("USD");
        }
    }

    @Test
    void daysAreCountedInTheRequestedTimeZoneFromRollupsOrRecordsAlike() throws Exception {
        ZoneId paris = ZoneId.of("Europe/Paris");
        JsonNode fromRollups = report("groupBy=app,day&tz=Europe/Paris");
        JsonNode fromRecords = report("groupBy=app,day&tz=Europe/Berlin"); // same offsets, no rollups kept
        assertThat(fromRollups.get("source").asText()).isEqualTo("rollups");
        assertThat(fromRecords.get("source").asText()).isEqualTo("records");
        assertThat(fromRecords.get("rows")).isEqualTo(fromRollups.get("rows"));
        assertThat(fromRecords.get("total")).isEqualTo(fromRollups.get("total"));

        // The record at 23:30 UTC on the 10th counts on the 11th in Paris.
        Map<String, Long> expected = new TreeMap<>();
        data.records.stream().filter(r -> r.appId().equals(data.appA))
                .forEach(r -> expected.merge(ChargebackDataset.day(r, paris), 1L, Long::sum));
        Map<String, Long> actual = new TreeMap<>();
        for (JsonNode row : fromRollups.get("rows")) {
            if (row.get("group").get("app").asText().equals(data.appA)) {
                actual.put(row.get("group").get("day").asText(), row.get("requests").asLong());
            }
        }
        assertThat(actual).isEqualTo(expected);
        JsonNode utc = report("groupBy=app,day");
        assertThat(utc.get("source").asText()).isEqualTo("rollups");
        assertThat(utc.get("tz").asText()).isEqualTo("UTC");
    }

    @Test
    void repriceAfterACorrectionSaysWhatChangedAndTheReportsFollow() throws Exception {
        ChargebackDataset.TestPrice correction = new ChargebackDataset.TestPrice(data.repriced, null,
                DeploymentType.GLOBAL, null, "1.10", "0.55", "4.40",
                java.time.Instant.parse("2026-03-20T00:00:00Z"), null);
        List<UsageRecord> appD = data.records.stream().filter(r -> r.appId().equals(data.appD)).toList();
        BigDecimal before = sum(appD, data::costOf);
        reprice(false); // settles whatever earlier runs against this database left in March: only ours changes next
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(correction.json()))
                .post("/api/prices").then().statusCode(200).body("added", equalTo(1));
        data.prices.add(correction);
        BigDecimal after = sum(appD, data::costOf);
        long changed = appD.stream().filter(r -> !r.occurredAt().isBefore(correction.from())).count();
        assertThat(changed).isPositive();

        JsonNode dryRun = reprice(true);
        assertThat(dryRun.get("changed").asLong()).isEqualTo(changed);
        assertThat(dryRun.get("delta").decimalValue()).isEqualByComparingTo(after.subtract(before));
        assertThat(row(report("groupBy=app"), "app", data.appD).get("cost").decimalValue()).isEqualByComparingTo(before);

        JsonNode done = reprice(false);
        assertThat(done.get("changed").asLong()).isEqualTo(changed);
        assertThat(done.get("delta").decimalValue()).isEqualByComparingTo(after.subtract(before));
        assertFigures(row(report("groupBy=app"), "app", data.appD), appD);
        assertThat(reprice(false).get("changed").asLong()).as("a second reprice changes nothing").isZero();
    }

    @Test
    void requestsThroughTheGatewayAppearPricedInTodaysReport() throws Exception {
        String app = "cb-live-" + data.run;
        // The period is fixed before sending, and spans two days, so that midnight UTC cannot fall between the two.
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        String end = java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(2).toString();
        long tokens = send(app, 3, "gpt-4o") + send(app, 1, "text-embedding-3-small");
        JsonNode row = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            String body = given().auth().oauth2(READER).accept(ContentType.JSON)
                    .get("/api/chargeback?groupBy=app&from=" + today + "&to=" + end).then().statusCode(200)
                    .extract().asString();
            for (JsonNode candidate : JSON.readTree(body).get("rows")) {
                if (candidate.get("group").get("app").asText().equals(app)) {
                    return candidate;
                }
            }
            return null;
        }, candidate -> candidate != null && candidate.get("requests").asLong() == 4);
        assertThat(row.get("totalTokens").asLong()).isEqualTo(tokens);
        assertThat(row.get("unpricedRequests").asLong()).isZero();
        assertThat(row.get("cost").decimalValue()).isPositive();
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

    @Test
    void rejectsBadParametersInTheAoaiErrorShape() {
        for (String query : List.of("groupBy=colour", "from=2026-13-01", "from=2026-04-01&to=2026-03-01",
                "tz=Mars/Olympus", "tz=%2B02:00", "format=xml")) {
            given().auth().oauth2(READER).get("/api/chargeback?" + query).then().statusCode(400)
                    .body("error.code", equalTo("BadRequest"))
                    .body("error.message", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
        }
    }

    @Test
    void readersReadReportsAndOnlyAdminsTouchPrices() {
        given().get("/api/chargeback").then().statusCode(401).body("error.code", equalTo("401"));
        given().auth().oauth2(TestTokens.v1("nosy-app")).get("/api/chargeback").then().statusCode(403)
                .body("error.code", equalTo("403"));
        given().auth().oauth2(ADMIN).get("/api/chargeback").then().statusCode(403);
        given().auth().oauth2(READER).get("/api/chargeback").then().statusCode(200);
        given().auth().oauth2(READER).get("/api/prices").then().statusCode(403).body("error.code", equalTo("403"));
        given().auth().oauth2(READER).post("/api/prices/reprice?from=2026-03-01&to=2026-04-01").then().statusCode(403);
        given().auth().oauth2(ADMIN).get("/api/prices").then().statusCode(200);
    }

    private void assertFigures(JsonNode row, List<UsageRecord> records) {
        assertThat(row.get("requests").asLong()).isEqualTo(records.size());
        assertThat(row.get("inputTokens").asLong()).isEqualTo(sumLong(records, u -> u.inputTokens()));
        assertThat(row.get("cachedInputTokens").asLong()).isEqualTo(sumLong(records, u -> u.cachedInputTokens()));
        assertThat(row.get("outputTokens").asLong()).isEqualTo(sumLong(records, u -> u.outputTokens()));
        assertThat(row.get("reasoningTokens").asLong()).isEqualTo(sumLong(records, u -> u.reasoningTokens()));
        assertThat(row.get("totalTokens").asLong()).isEqualTo(sumLong(records, u -> u.totalTokens()));
        assertThat(row.get("estimatedRequests").asLong())
                .isEqualTo(records.stream().filter(r -> r.usage().source() == UsageSource.ESTIMATED).count());
        assertThat(row.get("missingRequests").asLong())
                .isEqualTo(records.stream().filter(r -> r.usage().source() == UsageSource.MISSING).count());
        List<UsageRecord> unpriced = records.stream().filter(r -> data.costOf(r) == null).toList();
        assertThat(row.get("unpricedRequests").asLong()).isEqualTo(unpriced.size());
        assertThat(row.get("unpricedTokens").asLong()).isEqualTo(sumLong(unpriced, u -> u.totalTokens()));
        BigDecimal expected = sum(records, data::costOf);
        assertThat(row.get("cost").decimalValue()).isEqualByComparingTo(expected);
        // To the last decimal: the service's sum equals the test's digit for digit, not just to the cent.
        assertThat(row.get("cost").decimalValue().stripTrailingZeros()).isEqualTo(expected.stripTrailingZeros());
    }

    private static long sumLong(List<UsageRecord> records, Function<Usage, Long> figure) {
        return records.stream().mapToLong(r -> figure.apply(r.usage())).sum();
    }

    private static BigDecimal sum(List<UsageRecord> records, Function<UsageRecord, BigDecimal> cost) {
        return records.stream().map(cost).filter(java.util.Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static JsonNode report(String query) throws Exception {
        String body = given().auth().oauth2(READER).accept(ContentType.JSON)
                .get("/api/chargeback?from=2026-03-01&to=2026-04-01&" + query)
                .then().statusCode(200).extract().asString();
        return JSON.readTree(body);
    }

    private static JsonNode reprice(boolean dryRun) throws Exception {
        String body = given().auth().oauth2(ADMIN)
                .post("/api/prices/reprice?from=2026-03-01&to=2026-04-01&dryRun=" + dryRun)
                .then().statusCode(200).extract().asString();
        return JSON.readTree(body);
    }

    private static JsonNode row(JsonNode report, String column, String value) {
        for (JsonNode row : report.get("rows")) {
            if (value.equals(row.get("group").get(column).asText())) {
                return row;
            }
        }
        throw new AssertionError("No row with " + column + " = " + value + " in " + report);
    }

    private void register(String app, String businessUnit, String costCenter) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("insert into app (app_id, display_name, "
                     + "business_unit, cost_center) values (?, ?, ?, ?) on conflict do nothing")) {
            insert.setString(1, app);
            insert.setString(2, "App " + app);
            insert.setString(3, businessUnit);
            insert.setString(4, costCenter);
            insert.executeUpdate();
        }
    }
}
