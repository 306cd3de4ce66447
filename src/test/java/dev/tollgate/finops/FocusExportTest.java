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

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * GET /api/chargeback/focus through real HTTP over records written by the real writer: every row checked against the
 * FOCUS 1.2 rules for the columns it emits (the rules written out here, from the specification, not from the code),
 * its costs against /api/chargeback, and hostile app names through CSV and JSON Lines.
 */
@QuarkusTest
class FocusExportTest {

    static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    static final String SWC = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-ai/providers/"
            + "Microsoft.CognitiveServices/accounts/aoai-swc";
    /** Over a month end, so rows fall in two billing periods. */
    static final String PERIOD = "from=2025-06-29&to=2025-07-02";
    static final String HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\",\"pay\")\nline two, \"quoted\"";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    // FOCUS 1.2: the columns a dataset must have, those that may never be null, and allowed values.
    static final Set<String> MANDATORY = Set.of("BilledCost", "BillingAccountId", "BillingAccountName",
            "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
            "ChargeDescription", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
            "InvoiceIssuerName", "ListCost", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName");
    static final Set<String> NEVER_NULL = Set.of("BilledCost", "BillingAccountId", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart",
            "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName",
            "ServiceCategory", "ServiceName");
    /** Not null on Usage rows that are not corrections, when the column is present. */
    static final Set<String> NOT_NULL_FOR_USAGE = Set.of("PricingQuantity", "PricingUnit", "ConsumedQuantity",
            "ConsumedUnit", "ListUnitPrice", "ContractedUnitPrice", "PricingCategory", "SkuId", "SkuPriceId");
    static final Set<String> SPEC_COLUMNS = Set.of("AvailabilityZone", "BilledCost", "BillingAccountId",
            "BillingAccountName", "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
            "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription",
            "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
            "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
            "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
            "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
            "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
            "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit",
            "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
            "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails",
            "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags");
    static final Set<String> DECIMALS = Set.of("BilledCost", "ConsumedQuantity", "ContractedCost",
            "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice", "PricingQuantity");
    static final Set<String> DATE_TIMES = Set.of("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd",
            "ChargePeriodStart");
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "ChargeCategory", Set.of("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
            "ChargeClass", Set.of("Correction"),
            "ChargeFrequency", Set.of("One-Time", "Recurring", "Usage-Based"),
            "PricingCategory", Set.of("Standard", "Dynamic", "Committed", "Other"),
            "ServiceCategory", Set.of("AI and Machine Learning", "Analytics", "Business Applications", "Compute",
                    "Databases", "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
                    "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security", "Storage",
                    "Web", "Other"),
            "ServiceSubcategory", Set.of("AI Platforms", "Bots", "Generative AI", "Machine Learning",
                    "Natural Language Processing", "Other (AI and Machine Learning)"));
    static final Pattern DATE_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    /** NumericFormat as Tollgate writes it: no sign for positives, no exponent, no separators. */
    static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
    static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    /** UnitFormat: plural units, optionally after a whole quantity ("1000000 Tokens"). */
    static final Pattern UNIT = Pattern.compile("(\\d+ )?[A-Z][A-Za-z]*");

    private static String run;
    private static String family;

    @Inject
    UsageWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @BeforeEach
    void writeOnce() throws Exception {
        if (run != null) {
            return;
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        family = "fc-" + id;
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(
                        price("2.50", "1.25", "10.00", "2025-06-01T00:00:00Z"),
                        price("2.00", "0.50", "8.00", "2025-06-30T12:00:00Z")))
                .post("/api/prices").then().statusCode(200);
        register("fa-" + id, HOSTILE_NAME, "@Retail", "+CC-1");
        register("fb-" + id, "Claims triage", "Insurance", "CC-4711");
        writer.write(List.of(
                record(id, 0, "fa-" + id, "2025-06-29T23:59:59.500Z", "sim-1", 1_000, 400, 300, 120),
                record(id, 1, "fa-" + id, "2025-06-30T00:00:00.500Z", "sim-1", 2_000, 0, 500, 0),
                record(id, 2, "fb-" + id, "2025-06-30T13:00:00Z", "sim-3", 3_000, 1_000, 700, 0),
                record(id, 3, "fc-unregistered-" + id, "2025-07-01T08:00:00Z", "sim-2", 4_000, 0, 0, 0),
                unpriced(id, 4, "fb-" + id, "2025-07-01T09:00:00Z")));
        run = id;
    }

    @Test
    void everyRowMeetsTheFocusRulesForTheColumnsItHas() throws Exception {
        List<Map<String, String>> rows = csvRows(PERIOD);
        assertThat(rows).isNotEmpty();
        Set<String> header = rows.get(0).keySet();
        assertThat(header).containsAll(MANDATORY);
        for (String column : header) {
            assertThat(SPEC_COLUMNS.contains(column) || column.startsWith("x_")).as(column).isTrue();
        }
        for (Map<String, String> row : rows) {
            String where = row.get("ChargePeriodStart") + " " + row.get("x_AppId") + " " + row.get("SkuPriceId");
            NEVER_NULL.forEach(c -> assertThat(row.get(c)).as(where + " " + c).isNotEmpty());
            boolean usage = row.get("ChargeCategory").equals("Usage") && row.get("ChargeClass").isEmpty();
            if (usage) {
                NOT_NULL_FOR_USAGE.stream().filter(header::contains)
                        .forEach(c -> assertThat(row.get(c)).as(where + " " + c).isNotEmpty());
            }
            ALLOWED.forEach((c, values) -> {
                if (!row.get(c).isEmpty()) {
                    assertThat(values).as(where + " " + c).contains(row.get(c));
                }
            });
            DECIMALS.forEach(c -> {
                if (!row.get(c).isEmpty()) {
                    assertThat(row.get(c)).as(where + " " + c).matches(NUMBER);
                }
            });
            DATE_TIMES.forEach(c -> assertThat(row.get(c)).as(where + " " + c).matches(DATE_TIME));
            assertThat(row.get("BillingCurrency")).matches(CURRENCY);
            assertThat(row.get("PricingUnit")).matches(UNIT);
            assertThat(row.get("ConsumedUnit")).matches(UNIT);
            Instant start = Instant.parse(row.get("ChargePeriodStart"));
            Instant end = Instant.parse(row.get("ChargePeriodEnd"));
            assertThat(end).as(where).isAfter(start);
            assertThat(Instant.parse(row.get("BillingPeriodStart"))).as(where).isBeforeOrEqualTo(start);
            assertThat(Instant.parse(row.get("BillingPeriodEnd"))).as(where).isAfterOrEqualTo(end);
            BigDecimal quantity = new BigDecimal(row.get("PricingQuantity"));
            assertThat(new BigDecimal(row.get("ListCost"))).as(where)
                    .isEqualByComparingTo(new BigDecimal(row.get("ListUnitPrice")).multiply(quantity));
            assertThat(new BigDecimal(row.get("ContractedCost"))).as(where)
                    .isEqualByComparingTo(new BigDecimal(row.get("ContractedUnitPrice")).multiply(quantity));
            // Dependent nullability: a resource's name and type only with its id; a region name with its id.
            if (row.get("ResourceId").isEmpty()) {
                assertThat(row.get("ResourceName") + row.get("ResourceType")).as(where).isEmpty();
            }
            assertThat(row.get("RegionName").isEmpty()).as(where).isEqualTo(row.get("RegionId").isEmpty());
            JsonNode tags = JSON.readTree(row.get("Tags"));
            assertThat(tags.isObject()).as(where).isTrue();
            tags.fields().forEachRemaining(tag -> {
                assertThat(tag.getKey()).startsWith("tollgate/");
                assertThat(tag.getValue().isTextual()).isTrue();
            });
        }
    }

    @Test
    void effectiveCostAddsUpToTheChargebackTotalsOfTheSamePeriod() throws Exception {
        List<Map<String, String>> rows = csvRows(PERIOD);
        JsonNode chargeback = JSON.readTree(given().auth().oauth2(READER)
                .get("/api/chargeback?" + PERIOD + "&groupBy=app").then().statusCode(200).extract().asString());
        BigDecimal total = rows.stream().map(r -> new BigDecimal(r.get("EffectiveCost")))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(total).isEqualByComparingTo(chargeback.get("total").get("cost").decimalValue());
        Map<String, BigDecimal> byApp = new TreeMap<>();
        rows.forEach(r -> byApp.merge(r.get("x_AppId"), new BigDecimal(r.get("EffectiveCost")), BigDecimal::add));
        for (JsonNode group : chargeback.get("rows")) {
            if (group.has("owner")) {
                continue; // idle provisioned capacity, of no app: CapacityFocusTest
            }
            BigDecimal cost = group.get("cost").decimalValue();
            assertThat(byApp.getOrDefault(group.get("group").get("app").asText(), BigDecimal.ZERO))
                    .as(group.get("group").get("app").asText()).isEqualByComparingTo(cost);
        }
    }

    @Test
    void oneRowPerDayAppResourceModelPriceAndTokenClass() throws Exception {
        List<Map<String, String>> mine = csvRows(PERIOD).stream()
                .filter(r -> r.get("x_Model").equals(family)).toList();
        Map<String, Map<String, String>> byKey = new TreeMap<>();
        mine.forEach(r -> byKey.put(r.get("ChargePeriodStart").substring(0, 10) + " " + r.get("x_BackendId") + " "
                + r.get("x_TokenClass") + " " + r.get("ListUnitPrice"), r));
        assertThat(byKey).hasSize(mine.size());
        // Half a second before midnight UTC: the 29th, at June's price; 400 of its 1,000 input tokens were cached.
        Map<String, String> before = byKey.get("2025-06-29 sim-1 input 2.50");
        assertThat(before.get("ConsumedQuantity")).isEqualTo("600");
        assertThat(before.get("PricingQuantity")).isEqualTo("0.000600");
        assertThat(new BigDecimal(before.get("BilledCost"))).isEqualByComparingTo("0.0015");
        assertThat(before.get("ResourceId")).isEqualTo(SWC);
        assertThat(before.get("ResourceName")).isEqualTo("aoai-swc");
        assertThat(before.get("BillingPeriodStart")).isEqualTo("2025-06-01T00:00:00Z");
        assertThat(before.get("ChargePeriodEnd")).isEqualTo("2025-06-30T00:00:00Z");
        Map<String, String> output = byKey.get("2025-06-29 sim-1 output 10.00");
        assertThat(output.get("x_ReasoningTokens")).isEqualTo("120");
        assertThat(byKey.get("2025-06-29 sim-1 cached input 1.25").get("ConsumedQuantity")).isEqualTo("400");
        // Half a second after: the 30th, still before the price change at noon.
        assertThat(byKey.get("2025-06-30 sim-1 input 2.50").get("ConsumedQuantity")).isEqualTo("2000");
        assertThat(byKey).doesNotContainKey("2025-06-30 sim-1 cached input 1.25");
        // After noon on the 30th, at the new price, on a backend without a resource id: kept, with no resource.
        Map<String, String> later = byKey.get("2025-06-30 sim-3 cached input 0.50");
        assertThat(later.get("ResourceId")).isEmpty();
        assertThat(later.get("x_AppName")).isEqualTo("Claims triage");
        // July: the next billing period; an unregistered app.
        Map<String, String> july = byKey.get("2025-07-01 sim-2 input 2.00");
        assertThat(july.get("BillingPeriodStart")).isEqualTo("2025-07-01T00:00:00Z");
        assertThat(july.get("BillingPeriodEnd")).isEqualTo("2025-08-01T00:00:00Z");
        assertThat(july.get("x_BusinessUnit")).isEqualTo("(unregistered)");
        assertThat(july.get("ResourceId")).endsWith("/aoai-eus2");
        assertThat(byKey).hasSize(9);
    }

    @Test
    void unpricedTokensAreLeftOutAndCounted() {
        String header = given().auth().oauth2(READER).get("/api/chargeback/focus?" + PERIOD).then().statusCode(200)
                .extract().header("X-Tollgate-Unpriced-Tokens");
        assertThat(Long.parseLong(header)).isGreaterThanOrEqualTo(1_500);
        assertThat(given().auth().oauth2(READER).get("/api/chargeback/focus?" + PERIOD).asString())
                .doesNotContain(family + "-unpriced");
    }

    @Test
    void hostileAppNamesAreQuotedDefusedInCsvAndExactInJsonLines() throws Exception {
        Map<String, String> csv = csvRows(PERIOD).stream().filter(r -> r.get("x_AppId").equals("fa-" + run))
                .findFirst().orElseThrow();
        assertThat(csv.get("x_AppName")).isEqualTo("'" + HOSTILE_NAME);
        assertThat(csv.get("x_BusinessUnit")).isEqualTo("'@Retail");
        assertThat(csv.get("x_CostCenter")).isEqualTo("'+CC-1");
        // Tags are a JSON object (starting with '{'): the name inside is exact.
        assertThat(JSON.readTree(csv.get("Tags")).get("tollgate/app-name").asText()).isEqualTo(HOSTILE_NAME);

        String lines = given().auth().oauth2(READER).accept("application/jsonl")
                .get("/api/chargeback/focus?" + PERIOD).then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/jsonl")).extract().asString();
        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines.split("\n")) {
            objects.add(JSON.readTree(line));
        }
        assertThat(objects).hasSize(csvRows(PERIOD).size());
        JsonNode json = objects.stream().filter(o -> o.get("x_AppId").asText().equals("fa-" + run)).findFirst()
                .orElseThrow();
        assertThat(json.get("x_AppName").asText()).isEqualTo(HOSTILE_NAME);
        assertThat(json.get("BilledCost").isNumber()).isTrue();
        assertThat(json.get("ChargeClass").isNull()).isTrue();
        assertThat(json.get("Tags").get("tollgate/business-unit").asText()).isEqualTo("@Retail");
    }

    @Test
    void badParametersAre400AndOtherRoles403() {
        given().auth().oauth2(READER).get("/api/chargeback/focus?from=2025-07-02&to=2025-07-01").then()
                .statusCode(400).body("error.code", equalTo("BadRequest"));
        given().auth().oauth2(READER).get("/api/chargeback/focus?from=yesterday").then().statusCode(400)
                .body("error.message", containsString("'from'"));
        given().auth().oauth2(READER).get("/api/chargeback/focus?format=xml").then().statusCode(400);
        given().auth().oauth2(ADMIN).get("/api/chargeback/focus").then().statusCode(403);
        given().get("/api/chargeback/focus").then().statusCode(401);
        // A period without usage: the header line alone.
        String empty = given().auth().oauth2(READER).get("/api/chargeback/focus?from=1990-01-01&to=1990-01-02")
                .then().statusCode(200).extract().asString();
        assertThat(empty.trim()).startsWith("BilledCost,").doesNotContain("\n");
    }

    private static List<Map<String, String>> csvRows(String query) throws Exception {
        String csv = given().auth().oauth2(READER).get("/api/chargeback/focus?" + query).then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        List<Map<String, String>> rows = new ArrayList<>();
        try (var it = new CsvMapper().readerFor(Map.class).with(CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(csv)) {
            it.forEachRemaining(row -> rows.add(new LinkedHashMap<>(row)));
        }
        return rows;
    }

    private void register(String app, String name, String unit, String costCenter) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("insert into app (app_id, display_name, "
                     + "business_unit, cost_center) values (?, ?, ?, ?) on conflict do nothing")) {
            insert.setString(1, app);
            insert.setString(2, name);
            insert.setString(3, unit);
            insert.setString(4, costCenter);
            insert.executeUpdate();
        }
    }

    private static Map<String, Object> price(String input, String cached, String output, String from) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", family);
        json.put("deploymentType", "global");
        json.put("currency", "USD");
        json.put("inputPer1m", new BigDecimal(input));
        json.put("cachedInputPer1m", new BigDecimal(cached));
        json.put("outputPer1m", new BigDecimal(output));
        json.put("effectiveFrom", from);
        return json;
    }

    private static UsageRecord record(String run, int i, String app, String at, String backend, long input,
                                      long cached, long output, long reasoning) {
        return new UsageRecord(id(run, i), Instant.parse(at), app, "tenant", "chat", family, backend,
                backend.equals("sim-1") ? "swedencentral" : backend.equals("sim-2") ? "eastus2" : "francecentral",
                DeploymentType.GLOBAL, "chat/completions", false, 200, 30, 1,
                new Usage(input, cached, output, reasoning, input + output, UsageSource.REPORTED), null, null);
    }

    private static UsageRecord unpriced(String run, int i, String app, String at) {
        return new UsageRecord(id(run, i), Instant.parse(at), app, "tenant", "chat", family + "-unpriced", "sim-1",
                "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200, 30, 1,
                new Usage(1_000, 0, 500, 0, 1_500, UsageSource.REPORTED), null, null);
    }

    private static UUID id(String run, int i) {
        return UUID.nameUUIDFromBytes(("focus/" + run + "/" + i).getBytes(StandardCharsets.UTF_8));
    }
}
