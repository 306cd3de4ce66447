package dev.tollgate.apps.graph;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.apps.AppDirectory;
import dev.tollgate.apps.DirectoryEntry;
import dev.tollgate.ledger.RollupZones;
import dev.tollgate.metering.RequestIds;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.credentials.FakeEntraEndpoint;
import dev.tollgate.routing.credentials.TokenCredentials;
import dev.tollgate.support.ScratchDatabase;
import dev.tollgate.support.ClientSecretSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Graph look-up of unregistered apps' names with the real azure-identity client-secret credential and azure-core
 * pipeline, against fakes of the Entra token endpoint and of Microsoft Graph over HTTPS, into a real PostgreSQL.
 */
class GraphAppNamesTest {

    private static final String TENANT = "5d1f0c8e-2a47-4b39-8e16-7c0a9f3b2d64";
    private static final String OTHER_TENANT = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";

    @TempDir
    static Path dir;
    static Vertx vertx;
    static FakeEntraEndpoint entra;
    static FakeGraph graph;
    static ScratchDatabase database;

    AppDirectory directory;
    GraphServicePrincipals principals;
    final String known = UUID.randomUUID().toString();
    final String registered = UUID.randomUUID().toString();
    final String unknown = UUID.randomUUID().toString();
    final String refused = UUID.randomUUID().toString();
    final String notAGuid = "legacy-app-" + UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        entra = new FakeEntraEndpoint(vertx, dir);
        graph = new FakeGraph(entra::lastIssued);
        entra.otherPaths = graph;
        database = new ScratchDatabase("graph");
        new RollupZones(database.dataSource()).add("UTC");
    }

    @AfterAll
    static void stop() throws Exception {
        database.close();
        entra.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @BeforeEach
    void usageOfFiveApps() throws Exception {
        execute("delete from usage_daily; delete from app_directory; delete from app");
        graph.requests.clear();
        entra.tokenRequests.clear();
        graph.add(known, "Contoso Invoice Copilot", OTHER_TENANT, "WindowsAzureActiveDirectoryIntegratedApp", "team:ap");
        graph.add(registered, "Name in Graph", TENANT);
        graph.refused.add(refused);
        execute("insert into app (app_id, display_name, business_unit, cost_center) values ('" + registered
                + "', 'Registered name', 'Retail', 'CC-1')");
        database.write(List.of(record(known), record(registered), record(unknown), record(refused), record(notAGuid)));
        directory = new AppDirectory(database.dataSource(), new ObjectMapper());
        principals = new GraphServicePrincipals(entra.authorityHost(), TokenCredentials.of("test",
                new ClientSecretSettings(TENANT, "0b6d2e41-8c3f-4a7e-b915-5d2c7e8f1a90", "s3cret",
                        entra.authorityHost()), entra.httpClient()), entra.httpClient(), new ObjectMapper());
    }

    @Test
    void aRoundNamesTheUnregisteredAppsGraphKnowsAndAsksAboutNoOther() throws Exception {
        int lookedUp = AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));

        assertThat(lookedUp).isEqualTo(2); // known and unknown; refused failed
        assertThat(directory.find(known)).contains(new DirectoryEntry(known, "Contoso Invoice Copilot", OTHER_TENANT,
                List.of("WindowsAzureActiveDirectoryIntegratedApp", "team:ap")));
        assertThat(directory.find(unknown)).isEmpty();
        assertThat(database.queryLong("select count(*) from app_directory where app_id = '" + unknown
                + "' and not found")).isEqualTo(1);
        assertThat(graph.requests).extracting(r -> r.get("filter")).containsExactlyInAnyOrder(
                "appId eq '" + known + "'", "appId eq '" + unknown + "'", "appId eq '" + refused + "'");
        assertThat(graph.requests).allSatisfy(r ->
                assertThat(r.get("select")).isEqualTo("appId,displayName,appOwnerOrganizationId,tags"));
        // One token for the round, for Graph's own scope, by the client-credentials grant.
        assertThat(entra.tokenRequests).hasSize(1);
        assertThat(entra.tokenRequests.get(0).form()).containsEntry("grant_type", "client_credentials");
        assertThat(entra.tokenRequests.get(0).form().get("scope").split(" "))
                .contains(entra.authorityHost() + "/.default");
    }

    @Test
    void aLookUpIsRepeatedOnlyOnceItIsOlderThanTheInterval() {
        AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));
        graph.requests.clear();

        AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));
        assertThat(graph.requests).extracting(r -> r.get("filter")).containsExactly("appId eq '" + refused + "'");

        graph.requests.clear();
        AppNameRefresher.refresh(directory, principals, Duration.ZERO);
        assertThat(graph.requests).hasSize(3);
    }

    @Test
    void aThrottledLookUpIsRetriedAfterRetryAfter() throws Exception {
        graph.throttleNext.set(1);

        AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));

        assertThat(directory.find(known)).map(DirectoryEntry::displayName).contains("Contoso Invoice Copilot");
        assertThat(graph.requests).hasSize(4); // the throttled one asked again
    }

    @Test
    void aRefusalLeavesTheAppForTheNextRound() throws Exception {
        AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));
        assertThat(database.queryLong("select count(*) from app_directory where app_id = '" + refused + "'"))
                .isZero();

        graph.refused.remove(refused);
        graph.add(refused, "Now visible", TENANT);
        AppNameRefresher.refresh(directory, principals, Duration.ofHours(6));
        assertThat(directory.find(refused)).map(DirectoryEntry::displayName).contains("Now visible");
    }

    private static UsageRecord record(String app) {
        return new UsageRecord(RequestIds.next(), Instant.now(), app, TENANT, "gpt-4o", "gpt-4o-2024-08-06", "sim-1",
                "swedencentral", null, "chat/completions", false, 200, 40, 1,
                new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), null, null);
    }

    private static void execute(String sql) throws Exception {
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
