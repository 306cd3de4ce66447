package dev.tollgate.export;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against a real Event Hubs namespace, only when {@code TOLLGATE_TEST_EVENTHUBS_CONNECTION_STRING} holds a SAS
 * connection string with Send rights (with {@code EntityPath}, or the hub in {@code TOLLGATE_TEST_EVENTHUBS_NAME}).
 * It sends real events to that hub: use a hub meant for tests.
 */
@EnabledIfEnvironmentVariable(named = "TOLLGATE_TEST_EVENTHUBS_CONNECTION_STRING", matches = ".+")
class EventHubsSmokeTest {

    @Test
    void exportsRecordsToARealHub() throws Exception {
        EventHubsTarget target = EventHubsTarget.of(
                Optional.of(System.getenv("TOLLGATE_TEST_EVENTHUBS_CONNECTION_STRING")), Optional.empty(),
                Optional.ofNullable(System.getenv("TOLLGATE_TEST_EVENTHUBS_NAME")), Optional.empty()).orElseThrow();
        ExportMetrics metrics = new ExportMetrics(new SimpleMeterRegistry());
        try (ExportTestDatabase db = new ExportTestDatabase();
             EventHubsSender sender = EventHubsSender.connect(target, Duration.ofSeconds(30))) {
            db.write(ExportTestDatabase.records("tollgate-smoke-test", 5));
            UsageExporter exporter = new UsageExporter(db.dataSource(), sender, UsageExport.POSITION, "smoke-test",
                    Duration.ofMinutes(5), 100, metrics, Clock.systemUTC());

            assertThat(exporter.exportOnce()).isEqualTo(5);
            assertThat(db.position()).isEqualTo(db.maxSeq());
            assertThat(metrics.sentCount()).isEqualTo(5);
        }
    }
}
