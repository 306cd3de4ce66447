package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.UsageRows;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A record the real database refuses for its content must not hold back the records queued with it. */
@QuarkusTest
class UsageRecorderQuarantineTest {

    @Inject
    UsageRecorder recorder;

    @Inject
    UsageRows rows;

    @Test
    void aRefusedRecordIsSetAsideAndTheRestOfItsBatchIsWritten() {
        String app = "quarantine-" + UUID.randomUUID();
        // app_id is NOT NULL: PostgreSQL refuses this one with SQLSTATE 23502, every time.
        UsageRecord refused = record(null);
        UsageRecord before = record(app);
        UsageRecord after = record(app);
        assertThat(recorder.offer(before, null)).isTrue();
        assertThat(recorder.offer(refused, null)).isTrue();
        assertThat(recorder.offer(after, null)).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> rows.byApp(app).size() == 2);
        assertThat(rows.byId(refused.id().toString())).isEmpty();
        // and the writer goes on with later records
        UsageRecord later = record(app);
        recorder.offer(later, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> rows.byId(later.id().toString()).isPresent());
    }

    private static UsageRecord record(String app) {
        return new UsageRecord(UUID.randomUUID(), Instant.now(), app, "tenant", "gpt-4o", "gpt-4o-2024-08-06",
                "sim-1", "swedencentral", DeploymentType.GLOBAL, "chat/completions", false, 200, 42, 1,
                new Usage(10, 0, 5, 0, 15, UsageSource.REPORTED), null, null);
    }
}
