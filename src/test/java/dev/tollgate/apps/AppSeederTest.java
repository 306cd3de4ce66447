package dev.tollgate.apps;

import dev.tollgate.apps.AppsConfig.SeedMode;
import dev.tollgate.seeding.SeedFileException;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Seeding against the test PostgreSQL, with files of apps no other test uses. */
@QuarkusTest
class AppSeederTest {

    private static final String HEADER = "appId,displayName,businessUnit,costCenter,ownerContact,tags\n";

    @Inject
    AppSeeder seeder;

    @Inject
    AppStore store;

    @Inject
    AppRegistry registry;

    private final List<String> apps = new ArrayList<>();
    private String registered;
    private String fresh;
    private Path directory;

    @BeforeEach
    void registerOneApp() throws IOException {
        registered = id("registered");
        fresh = id("fresh");
        store.put(new RegisteredApp(registered, "Edited by an admin", "Finance", "CC-9", "admin@contoso.example",
                Map.of("env", "prod")), true);
        directory = Files.createDirectories(Path.of("target", "apps-seed-test"));
    }

    @AfterEach
    void removeApps() {
        apps.forEach(store::delete);
    }

    @Test
    void insertMissingAddsNewAppsAndLeavesRegisteredOnesAsTheyAre() throws IOException {
        String file = write(HEADER
                + registered + ",From the file,Finance,CC-1,,env=test\n"
                + fresh + ",Fresh,Retail,CC-2,fresh@contoso.example,\n");

        AppSeeder.Result result = seeder.seed(file, SeedMode.INSERT_MISSING);

        assertThat(result).isEqualTo(new AppSeeder.Result(1, 0, 0, List.of(registered)));
        assertThat(registry.find(registered).orElseThrow().displayName()).isEqualTo("Edited by an admin");
        assertThat(registry.find(fresh)).contains(
                new RegisteredApp(fresh, "Fresh", "Retail", "CC-2", "fresh@contoso.example", Map.of()));
        assertThat(seeder.seed(file, SeedMode.INSERT_MISSING))
                .isEqualTo(new AppSeeder.Result(0, 0, 1, List.of(registered)));
    }

    @Test
    void upsertMakesTheFileWinAndChangesNothingTheSecondTime() throws IOException {
        String file = write(HEADER
                + registered + ",From the file,Finance,CC-1,,env=test\n"
                + fresh + ",Fresh,Retail,CC-2,,\n");

        assertThat(seeder.seed(file, SeedMode.UPSERT)).isEqualTo(new AppSeeder.Result(1, 1, 0, List.of()));
        assertThat(registry.find(registered)).contains(
                new RegisteredApp(registered, "From the file", "Finance", "CC-1", null, Map.of("env", "test")));
        String updatedAt = updatedAt(registered);

        assertThat(seeder.seed(file, SeedMode.UPSERT)).isEqualTo(new AppSeeder.Result(0, 0, 2, List.of()));
        assertThat(updatedAt(registered)).isEqualTo(updatedAt);
    }

    @Test
    void aTagWithAnEmptyValueLoads() throws IOException {
        String file = write(HEADER + fresh + ",Fresh,Retail,CC-2,,env=prod;reviewed=\n");

        assertThat(seeder.seed(file, SeedMode.UPSERT)).isEqualTo(new AppSeeder.Result(1, 0, 0, List.of()));
        assertThat(registry.find(fresh).orElseThrow().tags()).isEqualTo(Map.of("env", "prod", "reviewed", ""));
    }

    @Test
    void aFileWithABadLineAppliesNothing() throws IOException {
        String file = write(HEADER
                + fresh + ",Fresh,Retail,CC-2,,\n"
                + registered + ",From the file,Finance,,,\n");

        assertThatThrownBy(() -> seeder.seed(file, SeedMode.UPSERT))
                .isInstanceOf(AppSeedException.class)
                .hasMessage("App seed file " + file + ", line 3: app '" + registered
                        + "': costCenter is required and must not be blank.");
        assertThat(registry.find(fresh)).isEmpty();
        assertThat(registry.find(registered).orElseThrow().displayName()).isEqualTo("Edited by an admin");
    }

    @Test
    void anAbsentFileIsAnError() {
        String missing = directory.resolve("no-such-file.csv").toString();
        assertThatThrownBy(() -> seeder.seed(missing, SeedMode.INSERT_MISSING))
                .isInstanceOf(SeedFileException.class)
                .hasMessageStartingWith("App seed file " + missing + " does not exist");
        assertThatThrownBy(() -> seeder.seed("classpath:apps/no-such-file.csv", SeedMode.INSERT_MISSING))
                .isInstanceOf(SeedFileException.class)
                .hasMessage("App seed file classpath:apps/no-such-file.csv does not exist: no resource "
                        + "apps/no-such-file.csv on the classpath (tollgate.apps.seed-file).");
    }

    @Test
    void aFileThatIsNotUtf8NamesTheLine() throws IOException {
        Path file = directory.resolve(UUID.randomUUID() + ".csv");
        byte[] latin1 = (HEADER + fresh + ",M\u00fcller,Retail,CC-2\n").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, latin1);
        assertThatThrownBy(() -> seeder.seed(file.toString(), SeedMode.INSERT_MISSING))
                .isInstanceOf(SeedFileException.class)
                .hasMessage("App seed file " + file + ", line 2: the file is not UTF-8. Save it as UTF-8 (in Excel: \"CSV UTF-8\").");
    }

    @Test
    void theTestProfileSeedFileWasAppliedAtStart() {
        // Seeded at start in upsert mode: seeding it again finds every app as the file has it.
        assertThat(seeder.seed("classpath:apps/test-apps.csv", SeedMode.UPSERT))
                .isEqualTo(new AppSeeder.Result(0, 0, 3, List.of()));
    }

    private String id(String kind) {
        String id = "seed-" + kind + "-" + UUID.randomUUID();
        apps.add(id);
        return id;
    }

    private String write(String csv) throws IOException {
        return Files.writeString(directory.resolve(UUID.randomUUID() + ".csv"), csv).toString();
    }

    private static String updatedAt(String appId) {
        return given().auth().oauth2(TestTokens.withRoles("apps-admin", TestTokens.ADMIN_ROLE))
                .get("/api/apps/" + appId).then().statusCode(200).extract().path("updatedAt");
    }
}
