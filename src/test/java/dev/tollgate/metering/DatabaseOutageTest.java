package dev.tollgate.metering;

import dev.tollgate.local.EmbeddedDatabase;
import dev.tollgate.support.TestTokens;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/** The real embedded PostgreSQL is stopped under load and started again: nothing may be lost or doubled. */
@QuarkusTest
class DatabaseOutageTest {

    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
    /** tollgate.metering.journal-dir of the test profile. */
    private static final Path JOURNAL = Path.of("target/usage-journal-test");

    @Inject
    UsageRows rows;

    @Inject
    UsageRecorder recorder;

    @Test
    void requestsMadeWhileTheDatabaseIsDownAreRecordedExactlyOnceWhenItReturns() {
        String app = "outage-" + UUID.randomUUID();
        Set<String> requestIds = new HashSet<>();
        EmbeddedDatabase database = EmbeddedDatabase.current().orElseThrow();
        send(app, 5, requestIds);
        database.stop();
        try {
            // The gateway keeps serving, and stays ready, while its records wait.
            given().get("/q/health/ready").then().statusCode(200);
            send(app, 20, requestIds);
        } finally {
            database.start();
        }
        send(app, 5, requestIds);

        await().atMost(Duration.ofSeconds(30)).until(() -> rows.byApp(app).size() >= 30);
        Set<String> recorded = rows.byApp(app).stream().map(row -> row.get("id").toString()).collect(Collectors.toSet());
        assertThat(rows.byApp(app)).hasSize(30);
        assertThat(recorded).isEqualTo(requestIds);
    }

    @Test
    void aLongOutageOverflowsTheQueueIntoTheJournalOnDiskAndEveryRecordArrivesOnce() {
        String app = "spool-" + UUID.randomUUID();
        Set<String> served = new HashSet<>();
        EmbeddedDatabase database = EmbeddedDatabase.current().orElseThrow();
        database.stop();
        try {
            // More than the queue (2000 in tests) holds: the rest waits in journal segments, replayed from disk.
            send(app, 2600, served, "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
            assertThat(served).hasSize(2600);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.segmentsToReplay() > 0);
        } finally {
            database.start();
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> rows.byApp(app).size() >= served.size());
        Set<String> recorded = rows.byApp(app).stream().map(row -> row.get("id").toString()).collect(Collectors.toSet());
        assertThat(rows.byApp(app)).hasSize(served.size());
        assertThat(recorded).isEqualTo(served);
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.segmentsToReplay() == 0);
    }

    @Test
    void whenTheJournalCannotWriteNewRequestsAre503NotServedUnrecorded() throws Exception {
        String app = "backlog-" + UUID.randomUUID();
        Set<String> served = new HashSet<>();
        EmbeddedDatabase database = EmbeddedDatabase.current().orElseThrow();
        // A plain file where the journal directory should be: its next segment cannot be opened.
        deleteRecursively(JOURNAL);
        Files.writeString(JOURNAL, "not a directory");
        database.stop();
        int refused = 0;
        try {
            for (int i = 0; i < 2500 && refused == 0; i++) {
                var response = given().contentType("application/json").auth().oauth2(TestTokens.v1(app))
                        .body("{\"input\":\"fill " + i + "\"}")
                        .post("/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
                if (response.statusCode() == 503) {
                    refused++;
                    response.then().header("retry-after", "1").body("error.code", equalTo("ServiceUnavailable"));
                } else {
                    response.then().statusCode(200);
                    served.add(response.header("x-request-id"));
                }
            }
        } finally {
            database.start();
            Files.delete(JOURNAL);
        }
        assertThat(refused).as("a request refused once the journal failed").isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> rows.byApp(app).size() >= served.size());
        assertThat(rows.byApp(app)).hasSize(served.size());
    }

    @Test
    void theReportAnswers503WhileTheDatabaseIsDown() {
        EmbeddedDatabase database = EmbeddedDatabase.current().orElseThrow();
        database.stop();
        try {
            given().auth().oauth2(TestTokens.withRoles("finance", TestTokens.READER_ROLE)).get("/api/chargeback")
                    .then().statusCode(503).body("error.code", equalTo("ServiceUnavailable"));
        } finally {
            database.start();
        }
    }

    private static void send(String app, int count, Set<String> requestIds, String path) {
        for (int i = 0; i < count; i++) {
            requestIds.add(given().contentType("application/json").auth().oauth2(TestTokens.v1(app))
                    .body("{\"input\":\"spill " + i + "\"}").post(path)
                    .then().statusCode(200).extract().header("x-request-id"));
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (var files = Files.list(path)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    private static void send(String app, int count, Set<String> requestIds) {
        for (int i = 0; i < count; i++) {
            requestIds.add(given().contentType("application/json").auth().oauth2(TestTokens.v1(app))
                    .body("{\"messages\":[{\"role\":\"user\",\"content\":\"request " + i + "\"}]}").post(CHAT)
                    .then().statusCode(200).extract().header("x-request-id"));
        }
    }
}
