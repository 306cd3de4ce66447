package dev.tollgate.reporting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.apps.AppDirectory;
import dev.tollgate.apps.DirectoryEntry;
import dev.tollgate.metering.RequestIds;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.metering.UsageWriter;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names looked up in Microsoft Graph (kept by {@link AppDirectory}; the look-up itself is GraphAppNamesTest) in the
 * chargeback report and the records API, through real HTTP: they name unregistered apps, and a registered name always
 * wins over them.
 */
@QuarkusTest
class LookedUpNamesReportTest {

    private static final String READER = TestTokens.withRoles("finance-app", TestTokens.READER_ROLE);
    private static final String ADMIN = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);

    @Inject
    AppDirectory directory;

    @Inject
    UsageWriter writer;

    @Inject
    ObjectMapper mapper;

    @Test
    void aLookedUpNameNamesAnUnregisteredAppAndARegisteredNameWins() throws Exception {
        String lookedUp = UUID.randomUUID().toString();
        String registered = UUID.randomUUID().toString();
        String unknown = UUID.randomUUID().toString();
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON)
                .body(Map.of("displayName", "Registered by hand", "businessUnit", "Retail", "costCenter", "CC-9"))
                .put("/api/apps/" + registered).then().statusCode(201);
        directory.remember(lookedUp, Optional.of(new DirectoryEntry(lookedUp, "Invoice Copilot", "tenant", List.of())));
        directory.remember(registered, Optional.of(new DirectoryEntry(registered, "Graph's name", "tenant", List.of())));
        directory.remember(unknown, Optional.empty());
        Instant at = Instant.parse("2025-09-15T12:00:00Z");
        writer.write(List.of(record(lookedUp, at), record(registered, at), record(unknown, at)));

        Map<String, JsonNode> byApp = new HashMap<>();
        for (JsonNode row : mapper.readTree(given().auth().oauth2(READER)
                .get("/api/chargeback?from=2025-09-15&to=2025-09-16&groupBy=app").then().statusCode(200)
                .extract().asString()).get("rows")) {
            byApp.put(row.get("group").get("app").asText(), row.get("group"));
        }
        assertThat(byApp.get(lookedUp).get("appName").asText()).isEqualTo("Invoice Copilot");
        assertThat(byApp.get(registered).get("appName").asText()).isEqualTo("Registered by hand");
        assertThat(byApp.get(unknown).get("appName").asText()).isEqualTo(ChargebackGrouping.UNREGISTERED);

        Map<String, String> names = new HashMap<>();
        for (JsonNode record : mapper.readTree(given().auth().oauth2(READER)
                .get("/api/usage/records?from=2025-09-15&to=2025-09-16").then().statusCode(200)
                .extract().asString()).get("records")) {
            names.put(record.get("appId").asText(), record.get("appName").isNull() ? null : record.get("appName").asText());
        }
        assertThat(names).containsEntry(lookedUp, "Invoice Copilot").containsEntry(registered, "Registered by hand")
                .containsEntry(unknown, null);
    }

    private static UsageRecord record(String app, Instant at) {
        return new UsageRecord(RequestIds.next(), at, app, "tenant", "gpt-4o", "gpt-4o-2024-08-06", "sim-1",
                "swedencentral", null, "chat/completions", false, 200, 40, 1,
                new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), null, null);
    }
}
