package dev.tollgate.reporting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.metering.RequestIds;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * /api/usage/records through real HTTP over records written by the real writer (which prices them) into the real
 * PostgreSQL: keyset pages that add up to the period exactly, instants and days, filters, CSV that a spreadsheet
 * cannot be attacked with, and every flaw a 4xx in the AOAI shape.
 */
@QuarkusTest
class UsageRecordsTest {

    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    private static final Instant START = Instant.parse("2025-07-01T08:00:00Z");
    private static final String HOSTILE = "=HYPERLINK(\"http://evil.example\",\"x\")";
    private static String app;
    private static String model;
    private static List<UsageRecord> written;

    @Inject
    UsageWriter writer;

    @Inject
    ObjectMapper mapper;

    @BeforeEach
    void writeTheRecordsOnce() throws Exception {
        if (written != null) {
            return;
        }
        String run = UUID.randomUUID().toString().substring(0, 8);
        app = "app-audit-" + run;
        model = "tg-audit-" + run;
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("model", model);
        price.put("deploymentType", "global");
        price.put("currency", "USD");
        price.put("inputPer1m", new BigDecimal("2.50"));
        price.put("outputPer1m", new BigDecimal("10.00"));
        price.put("effectiveFrom", "2025-01-01T00:00:00Z");
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(List.of(price))
                .post("/api/prices").then().statusCode(200);
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two records share an instant: the cursor must order them by id as well.
            Instant at = START.plusSeconds(i == 4 ? 3 * 60 : i * 60L);
            records.add(record(at, app, i % 2 == 0 ? "user-even" : null, i == 6 ? HOSTILE : "gpt-4o",
                    "apim-" + run + "-" + i, new Usage(1000L * (i + 1), 0, 100, 0, 1000L * (i + 1) + 100,
                            UsageSource.REPORTED)));
        }
        records.add(record(START.plusSeconds(90), "another-app-" + run, null, "gpt-4o", null,
                new Usage(5, 0, 5, 0, 10, UsageSource.REPORTED)));
        writer.write(records);
        written = records.stream().filter(r -> r.appId().equals(app))
                .sorted((a, b) -> a.occurredAt().equals(b.occurredAt())
                        ? a.id().compareTo(b.id()) : a.occurredAt().compareTo(b.occurredAt()))
                .toList();
    }

    private UsageRecord record(Instant at, String appId, String user, String deployment, String upstreamId,
                               Usage usage) {
        return new UsageRecord(RequestIds.next(), at, appId, "tenant", deployment, model + "-2025-01-01",
                "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200, 40, 1, usage,
                upstreamId, user);
    }

    @Test
    void pagesFollowTheCursorAndAddUpToThePeriodInOrder() throws Exception {
        List<String> ids = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            Response response = given().auth().oauth2(READER)
                    .get("/api/usage/records?from=2025-07-01&to=2025-07-02&app=" + app + "&limit=3"
                            + (next == null ? "" : "&after=" + next));
            response.then().statusCode(200).contentType(startsWith("application/json"));
            JsonNode page = mapper.readTree(response.asString());
            page.get("records").forEach(r -> ids.add(r.get("id").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
            if (next == null) {
                assertThat(response.header("Link")).isNull();
            } else {
                assertThat(response.header("Link")).contains("after=" + next).contains("rel=\"next\"")
                        .contains("app=" + app).contains("limit=3");
            }
            pages++;
        } while (next != null);
        assertThat(pages).isEqualTo(3);
        assertThat(ids).containsExactlyElementsOf(written.stream().map(r -> r.id().toString()).toList());
    }

    @Test
    void aRecordCarriesItsPriceCostUserAndUpstreamId() throws Exception {
        UsageRecord first = written.get(0);
        JsonNode page = records("app=" + app + "&upstreamRequestId=" + first.upstreamRequestId());
        assertThat(page.get("records")).hasSize(1);
        JsonNode record = page.get("records").get(0);
        assertThat(record.get("id").asText()).isEqualTo(first.id().toString());
        assertThat(record.get("occurredAt").asText()).isEqualTo("2025-07-01T08:00:00Z");
        assertThat(record.get("userId").asText()).isEqualTo("user-even");
        assertThat(record.get("model").asText()).isEqualTo(model + "-2025-01-01");
        assertThat(record.get("inputTokens").asLong()).isEqualTo(1000);
        assertThat(record.get("priceId").isIntegralNumber()).isTrue();
        // 1000 input at 2.50 and 100 output at 10.00 per million
        assertThat(record.get("cost").decimalValue()).isEqualByComparingTo("0.0035");
        assertThat(page.get("currency").asText()).isEqualTo("USD");
        assertThat(record.get("appName").isNull()).isTrue(); // neither registered nor looked up
    }

    @Test
    void fromAndToTakeInstantsFromInclusiveToExclusive() throws Exception {
        JsonNode page = mapper.readTree(given().auth().oauth2(READER).queryParam("app", app)
                .queryParam("from", "2025-07-01T08:01:00Z").queryParam("to", "2025-07-01T10:04:00+02:00")
                .get("/api/usage/records").then().statusCode(200).extract().asString());
        List<String> times = new ArrayList<>();
        page.get("records").forEach(r -> times.add(r.get("occurredAt").asText()));
        assertThat(times).containsExactly("2025-07-01T08:01:00Z", "2025-07-01T08:02:00Z", "2025-07-01T08:03:00Z",
                "2025-07-01T08:03:00Z");
    }

    @Test
    void filtersNarrowTheRecords() throws Exception {
        assertThat(records("app=" + app + "&user=user-even").get("records")).hasSize(4);
        assertThat(records("app=" + app + "&deployment=gpt-4o").get("records")).hasSize(6);
        assertThat(records("app=" + app + "&backend=sim-2").get("records")).isEmpty();
        assertThat(records("app=nobody-" + UUID.randomUUID()).get("records")).isEmpty();
    }

    @Test
    void theCsvHoldsTheSameRecordsWithFormulasNeutralised() throws Exception {
        String csv = given().auth().oauth2(READER).accept("text/csv")
                .get("/api/usage/records?from=2025-07-01&to=2025-07-02&app=" + app)
                .then().statusCode(200).contentType(startsWith("text/csv")).extract().asString();
        List<Map<String, String>> lines = new ArrayList<>();
        try (MappingIterator<Map<String, String>> rows = new CsvMapper().readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv)) {
            rows.forEachRemaining(lines::add);
        }
        assertThat(lines).extracting(line -> line.get("id"))
                .containsExactlyElementsOf(written.stream().map(r -> r.id().toString()).toList());
        assertThat(lines.get(6).get("deployment")).isEqualTo("'" + HOSTILE);
        assertThat(new BigDecimal(lines.get(0).get("cost"))).isEqualByComparingTo("0.0035");
        assertThat(lines.get(0).get("currency")).isEqualTo("USD");
        assertThat(lines.get(1).get("userId")).isEmpty();
        assertThat(lines.get(0).keySet()).contains("upstreamRequestId", "priceId", "appName", "userId");
    }

    @Test
    void aPageStreamsRatherThanBeingSizedFirst() {
        Response response = given().auth().oauth2(READER)
                .get("/api/usage/records?from=2025-07-01&to=2025-07-02&app=" + app + "&format=csv");
        response.then().statusCode(200);
        assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(response.header("Content-Length")).isNull();
    }

    @Test
    void badParametersAreBadRequestsInTheAoaiShape() {
        for (String query : List.of("after=not-a-cursor", "limit=0", "limit=100001", "limit=many",
                "from=yesterday", "from=2025-07-02&to=2025-07-01", "tz=Mars/Olympus", "format=xml",
                "from=2025-07-01T08:00:00")) {
            given().auth().oauth2(READER).get("/api/usage/records?" + query)
                    .then().statusCode(400).body("error.code", equalTo("BadRequest"));
        }
    }

    @Test
    void onlyReadersMayReadRecords() {
        given().auth().oauth2(TestTokens.v1("some-app")).get("/api/usage/records").then().statusCode(403);
        given().get("/api/usage/records").then().statusCode(401);
    }

    private JsonNode records(String query) throws Exception {
        return mapper.readTree(given().auth().oauth2(READER)
                .get("/api/usage/records?from=2025-07-01&to=2025-07-02&" + query)
                .then().statusCode(200).extract().asString());
    }
}
