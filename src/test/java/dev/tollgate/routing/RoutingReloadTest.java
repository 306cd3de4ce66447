package dev.tollgate.routing;

import dev.tollgate.simulator.Simulator;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Routing changed through the routing file, applied without a restart. */
@QuarkusTest
class RoutingReloadTest {

    private static final Path FILE = Path.of("target/test-routing/routing.properties");
    private static final String ADMIN = TestTokens.withRoles("ops-app", TestTokens.ADMIN_ROLE);

    @Inject
    Simulator simulator;

    @AfterEach
    void removeTheFile() throws IOException {
        Files.deleteIfExists(FILE);
        given().auth().oauth2(ADMIN).post("/api/backends/reload").then().statusCode(200);
    }

    @Test
    void aPoolAddedToTheRoutingFileServesAfterAReloadAndGoesAwayWithIt() throws IOException {
        chat("reloaded").then().statusCode(404);

        write("""
                tollgate.pools.reloaded.targets[0].backend=sim-2
                tollgate.pools.reloaded.targets[0].deployment=gpt-4o
                """);
        given().auth().oauth2(ADMIN).post("/api/backends/reload").then().statusCode(200);
        long before = simulator.backend("sim-2").requests();
        chat("reloaded").then().statusCode(200).body("model", equalTo("gpt-4o-2024-08-06"));
        assertThat(simulator.backend("sim-2").requests()).isEqualTo(before + 1);

        Files.delete(FILE);
        given().auth().oauth2(ADMIN).post("/api/backends/reload").then().statusCode(200);
        chat("reloaded").then().statusCode(404);
    }

    @Test
    void aStreamInFlightDuringAReloadCompletes() throws Exception {
        simulator.backends().forEach(backend -> backend.chunkDelay(java.time.Duration.ofMillis(100)));
        String body = "{\"stream\":true,\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        java.net.URI uri = java.net.URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                + "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
        try (var call = dev.tollgate.support.StreamingCall.open(uri, TestTokens.v1("app-reload-stream"), body)) {
            assertThat(call.nextData()).isNotNull();
            write("tollgate.pools.other.targets[0].backend=sim-1\n");
            given().auth().oauth2(ADMIN).post("/api/backends/reload").then().statusCode(200);
            String data;
            String last = null;
            while ((data = call.nextData()) != null) {
                last = data;
            }
            assertThat(last).isEqualTo("[DONE]");
        } finally {
            simulator.resetAll();
        }
    }

    @Test
    void aRoutingFileThatDoesNotValidateChangesNothing() throws IOException {
        write("""
                tollgate.pools.broken.targets[0].backend=no-such-backend
                """);
        given().auth().oauth2(ADMIN).post("/api/backends/reload").then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("no-such-backend"));
        chat("gpt-4o").then().statusCode(200);
        chat("broken").then().statusCode(404);
    }

    @Test
    void onlyAdminsMayReload() {
        given().auth().oauth2(TestTokens.v1("nosy")).post("/api/backends/reload").then().statusCode(403);
    }

    private static void write(String content) throws IOException {
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, content);
    }

    private static io.restassured.response.Response chat(String deployment) {
        return given().contentType("application/json").auth().oauth2(TestTokens.v1("app-reload"))
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21");
    }
}
