package dev.tollgate.capacity;

import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import dev.tollgate.capacity.CapacityFixtures.Frontier;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.tollgate.capacity.CapacityFixtures.frontier;
import static dev.tollgate.capacity.CapacityFixtures.setFrontier;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * A capacity correction through the admin API: two days of a provisioned deployment (10 PTUs at 2.00 an hour, policy
 * full) are allocated; then a row says the second day was really 12 PTUs at 1.50. Posting it re-allocates exactly the
 * allocated hours it covers, the run is audited with what it changed, and the report changes to the corrected figures,
 * to the cent, in a zone whose daily totals are kept (UTC) and, the same, in one summed from the hourly lines
 * (Etc/UTC). Weighted tokens are picked so every share is exact: app X weighs 1,000, app Y 3,000 (1,500 input + 3 x 500
 * output, gpt-4o's weights).
 */
@QuarkusTest
class CapacityCorrectionTest {

    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final JsonPathConfig EXACT = new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL);
    private static final Instant DAY_ONE = Instant.parse("2024-05-01T00:00:00Z");
    private static final Instant DAY_TWO = Instant.parse("2024-05-02T00:00:00Z");
    private static final Instant END = Instant.parse("2024-05-03T00:00:00Z");

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String backend = "ptuc-" + run;
    private final String owner = "platform-" + run;
    private final String appX = "corr-x-" + run;
    private final String appY = "corr-y-" + run;

    @Inject
    UsageWriter writer;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCorrectionOfAPastPeriodReallocatesItsHoursAndTheReportFollows() throws Exception {
        Frontier before = frontier(dataSource);
        try {
            // As if the background runs stood at the first day: declaring the capacity re-allocates nothing.
            setFrontier(dataSource, new Frontier(DAY_ONE, before.lastSeq()));
            given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                    .body(List.of(row(10, "2.00", DAY_ONE, END))).post("/api/capacity/rows")
                    .then().statusCode(200).body("added", equalTo(1)).body("reallocation", nullValue());
            correct();
        } finally {
            setFrontier(dataSource, before);
        }
        // Day two at 18.00 an hour: hour 10 X 4.50, Y 13.50; hour 11 X 18.00. Day one as before.
        assertReport("27.50", "28.50", "856.00");
        JsonPath hours = given().auth().oauth2(READER).get("/api/capacity?from=" + DAY_TWO + "&to=" + END)
                .then().statusCode(200).extract().jsonPath().using(EXACT);
        Map<String, Object> corrected = hours.getMap("deployments.find { it.backend == '" + backend
                + "' }.hours.find { it.hour == '2024-05-02T10:00:00Z' }");
        assertThat(corrected.get("ptu")).isEqualTo(12);
        assertThat(new BigDecimal(corrected.get("cost").toString())).isEqualByComparingTo("18.00");
        assertThat(new BigDecimal(corrected.get("allocatedCost").toString())).isEqualByComparingTo("18.00");
    }

    /** Traffic, the two days allocated, then the correction of day two, with the background runs past both days. */
    private void correct() throws Exception {
        writer.write(List.of(
                record(appX, "2024-05-01T10:20:00Z", 1_000, 0), record(appY, "2024-05-01T10:40:00Z", 1_500, 500),
                record(appX, "2024-05-02T10:05:00Z", 1_000, 0), record(appY, "2024-05-02T10:50:00Z", 1_500, 500),
                record(appX, "2024-05-02T11:30:00Z", 1_000, 0)));
        // Every deployment's hours of these days allocated now, so the correction below is all that changes.
        given().auth().oauth2(ADMIN).post("/api/capacity/allocate?from=" + DAY_ONE + "&to=" + END)
                .then().statusCode(200);
        // 48 hours at 20.00; hour 10 of each day: X 1/4, Y 3/4; hour 11 of day two: X alone; the rest idle.
        assertReport("30.00", "30.00", "900.00");

        setFrontier(dataSource, new Frontier(END, frontier(dataSource).lastSeq()));
        long lastRun = lastRunId();
        JsonPath added = given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(List.of(row(12, "1.50", DAY_TWO, END))).post("/api/capacity/rows")
                .then().statusCode(200).body("added", equalTo(1)).extract().jsonPath().using(EXACT);
        assertThat(added.getString("reallocation.reason")).isEqualTo("capacity-change");
        assertThat(Instant.parse(added.getString("reallocation.from"))).isEqualTo(DAY_TWO);
        assertThat(Instant.parse(added.getString("reallocation.to"))).isEqualTo(END);
        assertThat(added.getLong("reallocation.changedHours")).isEqualTo(24);
        BigDecimal costBefore = new BigDecimal(added.getString("reallocation.costBefore"));
        BigDecimal costAfter = new BigDecimal(added.getString("reallocation.costAfter"));
        assertThat(costBefore.subtract(costAfter)).as("24 hours at 20.00 became 24 at 18.00")
                .isEqualByComparingTo("48");

        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select reason, from_hour, to_hour, "
                     + "changed_hours, cost_before, cost_after from capacity_allocation_run where id > ?")) {
            query.setLong(1, lastRun);
            try (ResultSet audit = query.executeQuery()) {
                assertThat(audit.next()).as("the run is audited").isTrue();
                assertThat(audit.getString(1)).isEqualTo("capacity-change");
                assertThat(audit.getObject(2, OffsetDateTime.class).toInstant()).isEqualTo(DAY_TWO);
                assertThat(audit.getObject(3, OffsetDateTime.class).toInstant()).isEqualTo(END);
                assertThat(audit.getLong(4)).isEqualTo(24);
                assertThat(audit.getBigDecimal(5)).isEqualByComparingTo(costBefore);
                assertThat(audit.getBigDecimal(6)).isEqualByComparingTo(costAfter);
                assertThat(audit.next()).as("one run").isFalse();
            }
        }
    }

    /** The two days by app, in UTC (daily totals) and Etc/UTC (the hourly lines): the same exact figures. */
    private void assertReport(String x, String y, String idle) {
        for (String zone : List.of("UTC", "Etc/UTC")) {
            JsonPath report = given().auth().oauth2(READER).queryParam("from", "2024-05-01")
                    .queryParam("to", "2024-05-03").queryParam("groupBy", "app").queryParam("tz", zone)
                    .get("/api/chargeback").then().statusCode(200).extract().jsonPath().using(EXACT);
            assertThat(report.getString("source")).isEqualTo(zone.equals("UTC") ? "rollups" : "records");
            assertThat(provisioned(report, "group.app == '" + appX + "'")).as("X in %s", zone).isEqualByComparingTo(x);
            assertThat(provisioned(report, "group.app == '" + appY + "'")).as("Y in %s", zone).isEqualByComparingTo(y);
            assertThat(provisioned(report, "owner == '" + owner + "'")).as("idle in %s", zone)
                    .isEqualByComparingTo(idle);
        }
    }

    private static BigDecimal provisioned(JsonPath report, String where) {
        Map<String, Object> row = report.getMap("rows.find { it." + where + " }");
        assertThat(row).as(where).isNotNull();
        return new BigDecimal(row.get("provisionedCost").toString());
    }

    private Map<String, Object> row(int ptu, String rate, Instant from, Instant to) {
        return CapacityFixtures.capacity(backend, "gpt-4o-ptu", "gpt-4o", "global-provisioned", ptu, "hourly", rate,
                "full", owner, from.toString(), to.toString());
    }

    private UsageRecord record(String app, String at, long input, long output) {
        Usage usage = new Usage(input, 0, output, 0, input + output, UsageSource.REPORTED);
        return new UsageRecord(UUID.randomUUID(), Instant.parse(at), app, "tenant", "chat-" + run,
                "gpt-4o-2024-08-06", backend, "r-" + run, DeploymentType.GLOBAL_PROVISIONED, "chat/completions",
                false, 200, 10, 1, usage, null, null, false, null, "gpt-4o-ptu", null);
    }

    private long lastRunId() throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet max = statement.executeQuery("select coalesce(max(id), 0) from capacity_allocation_run")) {
            max.next();
            return max.getLong(1);
        }
    }
}
