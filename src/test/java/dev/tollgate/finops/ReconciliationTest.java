package dev.tollgate.finops;

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
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * /api/reconciliation through real HTTP: February 2025 metered by the real writer into the real PostgreSQL, beside
 * Azure cost exports of that month written from Cost Management's documented columns (FOCUS and actual cost), with a
 * day boundary, a price change Azure made and the catalog missed, traffic that bypassed the gateway, a resource no
 * backend has, a provisioned-throughput meter, a tax line and a day Azure has not billed yet.
 */
@QuarkusTest
class ReconciliationTest {

    static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    static final String SWC = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/rg-ai/providers/"
            + "microsoft.cognitiveservices/accounts/aoai-swc";
    static final String EUS2 = SWC.replace("aoai-swc", "aoai-eus2");
    static final String ROGUE = SWC.replace("aoai-swc", "aoai-rogue");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final String MODEL = "gpt-4o-2024-08-06";
    private static boolean written;

    @Inject
    UsageWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void meterFebruaryOnce() throws Exception {
        if (written) {
            return;
        }
        // February 2025 belongs to this test: what earlier runs wrote is taken out, records and rollups alike.
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("delete from usage_record where occurred_at >= '2025-01-31' and occurred_at < '2025-03-02'");
            statement.execute("delete from usage_daily where day >= '2025-01-30' and day < '2025-03-03'");
        }
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(
                        price(DeploymentType.GLOBAL, "swedencentral", "2.50", "1.25", "10.00"),
                        price(DeploymentType.DATA_ZONE, "eastus2", "2.75", "1.375", "11.00")))
                .post("/api/prices").then().statusCode(200);
        List<UsageRecord> records = new ArrayList<>();
        records.add(swc("2025-02-03T10:00:00Z", 1_000_000, 200_000, 100_000));
        // The day boundary: one just before midnight UTC, one just after.
        records.add(swc("2025-02-03T23:59:59.900Z", 10_000, 0, 0));
        records.add(swc("2025-02-04T00:00:00.100Z", 20_000, 0, 0));
        records.add(swc("2025-02-10T09:00:00Z", 100_000, 0, 10_000));
        records.add(swc("2025-02-16T12:00:00Z", 500_000, 0, 200_000));
        records.add(swc("2025-02-28T08:00:00Z", 5_000, 0, 0));
        records.add(record("2025-02-20T15:00:00Z", "sim-2", "eastus2", DeploymentType.DATA_ZONE, 100_000, 0, 50_000));
        // A backend without a resource id: charged back, but no bill line can match it.
        records.add(record("2025-02-07T15:00:00Z", "sim-3", "francecentral", DeploymentType.REGIONAL, 40_000, 0, 4_000));
        writer.write(records);
        written = true;
    }

    @Test
    void theFocusExportIsClassifiedLineByLine() throws Exception {
        upload("focus-2025-02.csv").then().statusCode(201).body("format", equalTo("focus"))
                .body("lines", equalTo(14)).body("firstDay", equalTo("2025-02-03"))
                .body("lastDay", equalTo("2025-02-28")).body("importedBy", equalTo("platform-app"));
        assertClassifications(reconciliation());
    }

    @Test
    void theClassicActualCostCsvIsClassifiedTheSameWay() throws Exception {
        upload("actual-cost-2025-02.csv").then().statusCode(201).body("format", equalTo("actual-cost"));
        assertClassifications(reconciliation());
    }

    private void assertClassifications(JsonNode report) {
        assertThat(report.get("month").asText()).isEqualTo("2025-02");
        // The day boundary: the record a tenth of a second before midnight is on the 3rd, the next on the 4th.
        assertRow(report, SWC, "2025-02-03", "input", "matched", "810000", "810000");
        assertRow(report, SWC, "2025-02-03", "cached input", "matched", "200000", "200000");
        assertRow(report, SWC, "2025-02-03", "output", "matched", "100000", "100000");
        assertRow(report, SWC, "2025-02-04", "input", "matched", "20000", "20000");
        // 300,000 input tokens went to the resource without passing through the gateway.
        JsonNode bypass = assertRow(report, SWC, "2025-02-10", "input", "unmetered_usage", "400000", "100000");
        assertThat(bypass.get("quantityDifference").decimalValue()).isEqualByComparingTo("300000");
        assertThat(bypass.get("note").asText()).contains("directly");
        assertRow(report, SWC, "2025-02-10", "output", "matched", "10000", "10000");
        // Azure cut the output price to 8.00 from the 15th; the catalog still says 10.00.
        assertRow(report, SWC, "2025-02-16", "input", "matched", "500000", "500000");
        JsonNode repriced = assertRow(report, SWC, "2025-02-16", "output", "price_mismatch", "200000", "200000");
        assertThat(repriced.get("azureUnitPrice").decimalValue()).isEqualByComparingTo("8");
        assertThat(repriced.get("tollgateUnitPrice").decimalValue()).isEqualByComparingTo("10");
        assertThat(repriced.get("costDifference").decimalValue()).isEqualByComparingTo("-0.40");
        assertThat(repriced.get("priceIds")).hasSize(1);
        assertThat(repriced.get("note").asText()).contains("price row " + repriced.get("priceIds").get(0).asLong())
                .contains("outputPer1m=8").contains("from 2025-02-16").contains("/api/prices/reprice?from=2025-02-16");
        // Exported in upper case: resource ids are compared as ARM compares them.
        assertRow(report, EUS2, "2025-02-20", "input", "matched", "100000", "100000");
        assertRow(report, EUS2, "2025-02-20", "output", "matched", "50000", "50000");
        // Tollgate metered the 28th; the export has not billed it.
        assertRow(report, SWC, "2025-02-28", "input", "not_billed", "0", "5000");
        // Provisioned throughput on a known resource: a meter Tollgate does not meter.
        JsonNode ptu = rows(report, SWC, "2025-02-05").get(0);
        assertThat(ptu.get("classification").asText()).isEqualTo("unmetered_usage");
        assertThat(ptu.get("note").asText()).contains("provisioned");
        List<JsonNode> rogue = rows(report, ROGUE, "2025-02-12");
        assertThat(rogue).hasSize(2).allSatisfy(row ->
                assertThat(row.get("classification").asText()).isEqualTo("unknown_resource"));

        JsonNode summary = report.get("summary");
        assertThat(summary.get("billedCost").decimalValue()).isEqualByComparingTo("35.61");
        assertThat(summary.get("usageCost").decimalValue()).isEqualByComparingTo("34.61");
        assertThat(summary.get("unknownResourceCost").decimalValue()).isEqualByComparingTo("2.51");
        // Accounted for: every matched and mispriced line, a quarter of the bypassed one.
        BigDecimal accounted = new BigDecimal("2.025").add(new BigDecimal("0.25")).add(BigDecimal.ONE)
                .add(new BigDecimal("0.05")).add(new BigDecimal("0.25")).add(new BigDecimal("0.10"))
                .add(new BigDecimal("1.25")).add(new BigDecimal("1.60")).add(new BigDecimal("0.275"))
                .add(new BigDecimal("0.55"));
        assertThat(summary.get("accountedCost").decimalValue()).isEqualByComparingTo(accounted);
        assertThat(summary.get("unmeteredCost").decimalValue()).isEqualByComparingTo("24.75");
        assertThat(summary.get("priceDifference").decimalValue()).isEqualByComparingTo("-0.40");
        assertThat(summary.get("accountedShare").decimalValue())
                .isEqualByComparingTo(accounted.divide(new BigDecimal("35.61"), 6, java.math.RoundingMode.HALF_EVEN));
        assertThat(summary.get("tollgateCostWithoutResource").decimalValue()).isPositive();
        assertThat(summary.get("tollgateTokensWithoutResource").asLong()).isEqualTo(44_000);
        assertThat(summary.get("rows").get("matched").asLong()).isEqualTo(8);
        assertThat(summary.get("rows").get("price_mismatch").asLong()).isEqualTo(1);
        assertThat(summary.get("rows").get("unmetered_usage").asLong()).isEqualTo(2);
        assertThat(summary.get("rows").get("unknown_resource").asLong()).isEqualTo(2);
        assertThat(summary.get("rows").get("not_billed").asLong()).isEqualTo(1);
    }

    @Test
    void theCsvCarriesTheRowsAndDefusesFormulasFromTheUploadedFile() throws Exception {
        upload("focus-2025-02.csv").then().statusCode(201);
        String csv = given().auth().oauth2(READER).accept("text/csv").get("/api/reconciliation?month=2025-02")
                .then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        List<Map<String, String>> lines = new ArrayList<>();
        try (var it = new CsvMapper().readerFor(Map.class).with(CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(csv)) {
            it.forEachRemaining(lines::add);
        }
        assertThat(lines).hasSize(reconciliation().get("rows").size());
        Map<String, String> hostile = lines.stream().filter(l -> l.get("meter").contains("HYPERLINK")).findFirst()
                .orElseThrow();
        // Quoted, newline and all, and opened as text rather than run as a formula.
        assertThat(hostile.get("meter")).isEqualTo("'=HYPERLINK(\"http://evil.example\")\nsecond line");
        assertThat(hostile.get("classification")).isEqualTo("unknown_resource");
        // The JSON keeps the meter exactly.
        assertThat(reconciliation().findValuesAsText("meter"))
                .contains("=HYPERLINK(\"http://evil.example\")\nsecond line");
    }

    @Test
    void aFlawedFileIsRefusedWholeNamingLineAndColumn() throws Exception {
        String good = fixture("focus-2025-02.csv");
        String[] lines = good.split("\n", -1);
        // Line 12 of the file: after the meter with a newline in it (lines 10 and 11).
        assertThat(lines[11]).contains("gpt-4o-0806-Inp-glbl Tokens").startsWith("1.25,");
        String badCost = good.replace(lines[11], lines[11].replaceFirst("^1\\.25,", "1.2.5,"));
        String badDate = good.replace(lines[4], lines[4].replace(",2025-02-04T00:00:00Z,20000,",
                ",2025-02-31T00:00:00Z,20000,"));
        String euros = good.replace(lines[2], lines[2].replace(",USD,", ",EUR,"));
        String unclosed = good.replace(lines[5], lines[5] + ",\"never closed");
        long before = importCount();
        refused(badCost, "Line 12, column BilledCost: '1.2.5' is not a number");
        refused(badDate, "Line 5, column ChargePeriodStart");
        refused(euros, "Line 3, column BillingCurrency: 'EUR'");
        refused(unclosed, "Line ");
        refused("", "empty");
        refused("a,b,c\n1,2,3\n", "Line 1: not a cost export");
        refused(lines[0] + "\n", "no charge lines");
        assertThat(importCount()).isEqualTo(before);
        // Only operators upload; readers cannot.
        given().auth().oauth2(READER).contentType("text/csv").body(good).post("/api/reconciliation/imports")
                .then().statusCode(403);
        assertThat(importCount()).isEqualTo(before);
    }

    @Test
    void aMonthWithoutAnExportIs404AndABadMonth400() {
        given().auth().oauth2(READER).get("/api/reconciliation?month=1999-01").then().statusCode(404)
                .body("error.message", containsString("POST /api/reconciliation/imports"));
        given().auth().oauth2(READER).get("/api/reconciliation?month=2025-13").then().statusCode(400)
                .body("error.code", equalTo("BadRequest"));
        given().auth().oauth2(TestTokens.withRoles("someone", "other.role")).get("/api/reconciliation?month=2025-02")
                .then().statusCode(403);
    }

    private static void refused(String body, String message) {
        given().auth().oauth2(ADMIN).contentType("text/csv").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/api/reconciliation/imports").then().statusCode(400)
                .body("error.code", equalTo("BadRequest")).body("error.message", containsString(message));
    }

    private static long importCount() {
        return given().auth().oauth2(ADMIN).get("/api/reconciliation/imports").then().statusCode(200)
                .extract().jsonPath().getList("$").size();
    }

    private static io.restassured.response.Response upload(String fixture) throws IOException {
        return given().auth().oauth2(ADMIN).contentType("text/csv")
                .body(fixture(fixture).getBytes(StandardCharsets.UTF_8))
                .post("/api/reconciliation/imports?fileName=" + fixture);
    }

    private static JsonNode reconciliation() throws IOException {
        return JSON.readTree(given().auth().oauth2(READER).get("/api/reconciliation?month=2025-02")
                .then().statusCode(200).extract().asString());
    }

    private static JsonNode assertRow(JsonNode report, String resource, String day, String tokenClass,
                                      String classification, String azure, String tollgate) {
        List<JsonNode> found = rows(report, resource, day).stream()
                .filter(row -> tokenClass.equals(row.path("tokenClass").asText())).toList();
        assertThat(found).as(resource + " " + day + " " + tokenClass).hasSize(1);
        JsonNode row = found.get(0);
        assertThat(row.get("classification").asText()).as(day + " " + tokenClass).isEqualTo(classification);
        assertThat(row.get("azureQuantity").decimalValue()).as(day + " " + tokenClass).isEqualByComparingTo(azure);
        assertThat(row.get("tollgateQuantity").asLong()).as(day + " " + tokenClass).isEqualTo(Long.parseLong(tollgate));
        return row;
    }

    private static List<JsonNode> rows(JsonNode report, String resource, String day) {
        List<JsonNode> rows = new ArrayList<>();
        report.get("rows").forEach(row -> {
            if (row.get("resourceId").asText().equals(resource) && row.get("day").asText().equals(day)) {
                rows.add(row);
            }
        });
        return rows;
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = ReconciliationTest.class.getResourceAsStream("/fixtures/azure-cost/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Object> price(DeploymentType type, String region, String input, String cached,
                                             String output) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("model", "gpt-4o");
        json.put("modelVersion", "2024-08-06");
        json.put("deploymentType", type.key());
        json.put("region", region);
        json.put("currency", "USD");
        json.put("inputPer1m", new BigDecimal(input));
        json.put("cachedInputPer1m", new BigDecimal(cached));
        json.put("outputPer1m", new BigDecimal(output));
        json.put("effectiveFrom", "2025-02-01T00:00:00Z");
        return json;
    }

    private static UsageRecord swc(String at, long input, long cached, long output) {
        return record(at, "sim-1", "swedencentral", DeploymentType.GLOBAL, input, cached, output);
    }

    private static UsageRecord record(String at, String backend, String region, DeploymentType type, long input,
                                      long cached, long output) {
        UUID id = UUID.nameUUIDFromBytes(("reconciliation/" + at + "/" + backend).getBytes(StandardCharsets.UTF_8));
        return new UsageRecord(id, Instant.parse(at), "reconciled-app", "tenant", "gpt-4o", MODEL, backend, region,
                type, "chat/completions", false, 200, 40, 1,
                new Usage(input, cached, output, 0, input + output, UsageSource.REPORTED), null, null);
    }
}
