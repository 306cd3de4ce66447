package dev.tollgate.admission.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.admission.AdmissionConfig.SeedMode;
import dev.tollgate.seeding.SeedFileException;
import dev.tollgate.support.ScratchDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admission rules' seed file against a real PostgreSQL: all or nothing, stored rules kept or replaced by mode. */
class RuleSeederTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path directory;

    private final ScratchDatabase database = new ScratchDatabase("rule_seeder");
    private final RuleStore store = new RuleStore(database.dataSource(), MAPPER);
    private final RuleSeeder seeder = new RuleSeeder(store, MAPPER);

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    private static String rule(String id, String app, long tokensPerMinute) {
        return "{\"id\":\"" + id + "\",\"subject\":{\"type\":\"app\",\"id\":\"" + app + "\"},\"tokensPerMinute\":"
                + tokensPerMinute + "}";
    }

    private String write(String text, Charset charset) throws IOException {
        Path file = Files.createTempFile(directory, "rules", ".json");
        Files.write(file, text.getBytes(charset));
        return file.toString();
    }

    @Test
    void aFileIsStoredAndSeedingAgainKeepsWhatAnAdminChangedUnlessTheFileWins() throws Exception {
        String first = write("[" + rule("team-a", "app-a", 1000) + "," + rule("team-b", "app-b", 2000) + "]",
                StandardCharsets.UTF_8);
        assertThat(seeder.seed(first, SeedMode.INSERT_MISSING)).extracting(RuleStore.Put::outcome)
                .containsExactly(RuleStore.Outcome.CREATED, RuleStore.Outcome.CREATED);

        String changed = write("[" + rule("team-a", "app-a", 5000) + "]", StandardCharsets.UTF_8);
        assertThat(seeder.seed(changed, SeedMode.INSERT_MISSING)).extracting(RuleStore.Put::outcome)
                .containsExactly(RuleStore.Outcome.KEPT);
        assertThat(store.find("team-a").orElseThrow().rule().tokensPerMinute()).isEqualTo(1000L);

        assertThat(seeder.seed(changed, SeedMode.UPSERT)).extracting(RuleStore.Put::outcome)
                .containsExactly(RuleStore.Outcome.UPDATED);
        assertThat(store.find("team-a").orElseThrow().rule().tokensPerMinute()).isEqualTo(5000L);
    }

    @Test
    void aFileWithOneBadRuleStoresNothing() throws Exception {
        String file = write("[" + rule("good", "app-a", 1000) + "," + rule("good", "app-b", 2000) + "]",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> seeder.seed(file, SeedMode.UPSERT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Rule seed file " + file + ", rule 2: rule id 'good' appears twice.");
        assertThat(store.all()).isEmpty();

        String notAnArray = write(rule("alone", "app-a", 1000), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> seeder.seed(notAnArray, SeedMode.UPSERT))
                .hasMessage("Rule seed file " + notAnArray + " must hold a JSON array of rules.");
        assertThat(store.all()).isEmpty();
    }

    @Test
    void anAbsentOrNonUtf8FileIsRefusedNamingTheSettingOrTheLine() throws IOException, SQLException {
        assertThatThrownBy(() -> seeder.seed("classpath:admission/no-such-rules.json", SeedMode.UPSERT))
                .isInstanceOf(SeedFileException.class)
                .hasMessage("Rule seed file classpath:admission/no-such-rules.json does not exist: no resource "
                        + "admission/no-such-rules.json on the classpath (tollgate.admission.seed-file).");
        String missing = directory.resolve("absent.json").toString();
        assertThatThrownBy(() -> seeder.seed(missing, SeedMode.UPSERT))
                .isInstanceOf(SeedFileException.class)
                .hasMessageStartingWith("Rule seed file " + missing + " does not exist (tollgate.admission.seed-file");

        String latin1 = write("[\n" + rule("m\u00fcller", "app-a", 1000) + "\n]", StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> seeder.seed(latin1, SeedMode.UPSERT))
                .isInstanceOf(SeedFileException.class)
                .hasMessageStartingWith("Rule seed file " + latin1 + ", line 2: the file is not UTF-8.");
        assertThat(store.all()).isEmpty();
    }
}
