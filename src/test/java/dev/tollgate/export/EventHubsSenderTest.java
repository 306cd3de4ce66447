package dev.tollgate.export;

import dev.tollgate.metering.UsageRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real sender (Azure SDK) against the fake hub, without a database. */
class EventHubsSenderTest {

    private FakeEventHubs hub;
    private EventHubsSender sender;

    @AfterEach
    void tearDown() {
        sender.close();
        hub.close();
    }

    @Test
    void fillsBatchesUpToTheHubsLimitAndKeepsEachAppsOrder() {
        start(4 * 1024);
        Map<String, List<UsageEvent>> events = new LinkedHashMap<>();
        long seq = 0;
        for (String app : List.of("app-a", "app-b", "app-c")) {
            List<UsageEvent> ofApp = new ArrayList<>();
            for (UsageRecord record : ExportTestDatabase.records(app, 40)) {
                ofApp.add(new UsageEvent(++seq, record));
            }
            events.put(app, ofApp);
        }

        sender.send(events);

        assertThat(hub.events()).hasSize(120);
        assertThat(hub.batchDeliveries()).isGreaterThanOrEqualTo(3 * 40 * 500 / (4 * 1024));
        assertThat(hub.largestDelivery()).isLessThanOrEqualTo(4 * 1024);
        for (Map.Entry<String, List<UsageEvent>> app : events.entrySet()) {
            assertThat(hub.events().stream().filter(e -> e.partitionKey().equals(app.getKey()))
                    .map(ReceivedEvent::messageId).toList())
                    .containsExactlyElementsOf(app.getValue().stream().map(UsageEvent::messageId).toList());
        }
    }

    @Test
    void refusesAnEventLargerThanTheHubTakes() {
        start(256);
        UsageEvent event = new UsageEvent(1, ExportTestDatabase.records("app-a", 1).get(0));

        assertThatThrownBy(() -> sender.send(Map.of("app-a", List.of(event))))
                .hasMessageContaining("larger than the hub's maximum message size (256 bytes)");
        assertThat(hub.events()).isEmpty();
    }

    private void start(int maxMessageSize) {
        hub = FakeEventHubs.start("usage", 2, maxMessageSize);
        sender = EventHubsSender.connect(EventHubsTarget.of(Optional.of(hub.connectionString()), Optional.empty(),
                Optional.empty(), Optional.empty()).orElseThrow(), Duration.ofSeconds(5));
    }
}
