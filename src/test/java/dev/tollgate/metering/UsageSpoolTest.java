package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageSpoolTest {

    @TempDir
    Path directory;

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());

    @Test
    void recordsComeBackExactlyAsTheyWentInOldestFileFirst() throws Exception {
        UsageSpool spool = new UsageSpool(directory, mapper);
        UsageRecord first = record("app-1", "l'appli \"été\" 🚗");
        UsageRecord second = record("app-2", null);
        spool.write(List.of(first));
        spool.write(List.of(second));
        assertThat(spool.size()).isEqualTo(2);

        UsageSpool.Spooled oldest = spool.oldest();
        assertThat(oldest.records()).containsExactly(first);
        oldest.release();
        assertThat(spool.oldest().records()).containsExactly(second);
        spool.oldest().release();
        assertThat(spool.isEmpty()).isTrue();
        assertThat(spool.oldest().records()).isEmpty();
        spool.oldest().release();
    }

    @Test
    void aFileStillBeingWrittenIsNotReplayed() throws Exception {
        Files.writeString(directory.resolve("usage-1.partial"), "{\"half\":");
        assertThat(new UsageSpool(directory, mapper).isEmpty()).isTrue();
    }

    @Test
    void aSpoolThatCannotBeWrittenSaysSoAndHoldsNothing() throws Exception {
        Path notADirectory = Files.writeString(directory.resolve("file"), "");
        UsageSpool spool = new UsageSpool(notADirectory, mapper);
        assertThatThrownBy(() -> spool.write(List.of(record("app-1", null))))
                .isInstanceOfSatisfying(UsageSinkException.class, e -> assertThat(e.refusedForGood()).isFalse());
        assertThat(spool.isEmpty()).isTrue();
    }

    @Test
    void anUnreadableSpoolFileIsAFailureToRetryAndStaysOnDisk() throws Exception {
        Files.writeString(directory.resolve("usage-1.jsonl"), "{\"half\":\n");
        UsageSpool spool = new UsageSpool(directory, mapper);
        assertThatThrownBy(spool::oldest)
                .isInstanceOfSatisfying(UsageSinkException.class, e -> assertThat(e.refusedForGood()).isFalse());
        assertThat(spool.isEmpty()).isFalse();
    }

    private static UsageRecord record(String app, String upstreamId) {
        return new UsageRecord(UUID.randomUUID(), Instant.parse("2026-11-22T09:00:00.123456Z"), app, "tenant",
                "gpt-4o", "gpt-4o-2024-08-06", "sim-1", "swedencentral", DeploymentType.DATA_ZONE,
                "chat/completions", true, 200, 42, 2,
                new Usage(100, 64, 20, 5, 120, UsageSource.ESTIMATED), upstreamId, null);
    }
}
