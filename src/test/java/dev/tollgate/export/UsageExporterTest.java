package dev.tollgate.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.metering.UsageRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The exporter end to end: records written by {@link dev.tollgate.metering.UsageWriter} into a real PostgreSQL,
 * exported by the real Event Hubs sender (the Azure SDK) to {@link FakeEventHubs}.
 */
class UsageExporterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE_SIZE = 8 * 1024;

    private final ExportTestDatabase db = new ExportTestDatabase();
    private final FakeEventHubs hub = FakeEventHubs.start("usage", 4, MAX_MESSAGE_SIZE);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExportMetrics metrics = new ExportMetrics(registry);
    private final List<UsageEventSender> senders = new ArrayList<>();

    @AfterEach
    void tearDown() {
        senders.forEach(UsageEventSender::close);
        hub.close();
        db.close();
    }

    @Test
    void everyRecordArrivesWithItsAppAsPartitionKeyItsIdAsMessageIdAndItsFieldsAsBody() throws Exception {
        List<UsageRecord> written = new ArrayList<>();
        for (List<UsageRecord> batch : List.of(ExportTestDatabase.records("app-a", 15),
                ExportTestDatabase.records("app-b", 10), ExportTestDatabase.records("app-a", 10),
                ExportTestDatabase.records("app-c", 1))) {
            db.write(batch);
            written.addAll(batch);
        }
        UsageExporter exporter = exporter("pod-1", 20);

        assertThat(exportAll(exporter)).isEqualTo(36);

        List<ReceivedEvent> events = hub.events();
        assertThat(events).hasSize(36);
        Map<String, UsageRecord> byId = written.stream()
                .collect(Collectors.toMap(r -> r.id().toString(), Function.identity()));
        assertThat(events).extracting(e -> (String) e.messageId()).containsExactlyInAnyOrderElementsOf(byId.keySet());
        for (ReceivedEvent event : events) {
            UsageRecord record = byId.get((String) event.messageId());
            assertThat(event.partitionKey()).isEqualTo(record.appId());
            assertThat(event.contentType()).isEqualTo("application/json");
            assertThat(event.entityPath()).isEqualTo("usage");
            assertBodyMatches(JSON.readTree(event.body()), record);
        }
        // One app, one partition, in the order the records were written.
        for (String app : List.of("app-a", "app-b", "app-c")) {
            List<ReceivedEvent> ofApp = events.stream().filter(e -> e.partitionKey().equals(app)).toList();
            assertThat(ofApp).extracting(ReceivedEvent::partitionId).containsOnly(ofApp.get(0).partitionId());
            assertThat(ofApp).extracting(e -> seq(e)).isSorted();
            assertThat(ofApp).extracting(e -> (String) e.messageId()).containsExactlyElementsOf(written.stream()
                    .filter(r -> r.appId().equals(app)).map(r -> r.id().toString()).toList());
        }
        // Batched, never above the hub's limit.
        assertThat(hub.batchDeliveries()).isGreaterThan(1);
        assertThat(hub.largestDelivery()).isLessThanOrEqualTo(MAX_MESSAGE_SIZE);
        assertThat(hub.rejectedDeliveries()).isZero();

        assertThat(db.position()).isEqualTo(db.maxSeq());
        assertThat(metrics.sentCount()).isEqualTo(36);
        exporter.measureLag();
        assertThat(metrics.lagRecords()).isZero();
    }

    @Test
    void theHubGoingAwayForAWhileLosesNothingAndRepeatsOnlyWhatCarriesTheSameId() throws Exception {
        UsageExporter exporter = exporter("pod-1", 50);
        ExportLoop loop = new ExportLoop(exporter, Duration.ofMillis(50), Duration.ofMillis(400));
        db.write(ExportTestDatabase.records("app-a", 20));
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> distinctIds().size() == 20);

            hub.goAway();
            db.write(ExportTestDatabase.records("app-b", 15));
            db.write(ExportTestDatabase.records("app-a", 15));
            // Rounds fail (and are counted), and the lag shows the records waiting.
            await().atMost(Duration.ofSeconds(60)).until(() -> metrics.failureCount() >= 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> metrics.lagRecords() == 30);
            // The records occurred 30 s before they were written (see ExportTestDatabase.records).
            assertThat(registry.get("tollgate.export.lag.seconds").gauge().value()).isGreaterThanOrEqualTo(30);
            assertThat(registry.get("tollgate.export.lag.records").gauge().value()).isEqualTo(30);
            assertThat(distinctIds()).hasSize(20);

            hub.comeBack();
            db.write(ExportTestDatabase.records("app-c", 10));
            await().atMost(Duration.ofSeconds(60)).until(() -> distinctIds().size() == 60);
            await().atMost(Duration.ofSeconds(30)).until(() -> db.position() == db.maxSeq());
        } finally {
            loop.stop(Duration.ofSeconds(10));
        }
        // Exactly the rows in the database, each at least once; a consumer dropping repeated ids sees each once.
        assertThat(distinctIds()).isEqualTo(new HashSet<>(db.ids()));
        assertThat(hub.events().size()).isGreaterThanOrEqualTo(60);
        exporter.measureLag();
        assertThat(metrics.lagRecords()).isZero();
        assertThat(registry.get("tollgate.export.lag.seconds").gauge().value()).isZero();
        assertThat(registry.get("tollgate.export.failures").counter().count()).isGreaterThanOrEqualTo(2);
        assertThat(registry.get("tollgate.export.events.sent").counter().count()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void aRestartedExporterResumesFromTheStoredPosition() throws Exception {
        List<UsageRecord> before = ExportTestDatabase.records("app-a", 12);
        db.write(before);
        UsageEventSender firstSender = sender();
        UsageExporter first = exporter("pod-1", firstSender, 100);
        assertThat(first.exportOnce()).isEqualTo(12);
        firstSender.close(); // the process dies: no lease given up, nothing else kept but the database

        List<UsageRecord> after = ExportTestDatabase.records("app-b", 8);
        db.write(after);
        UsageExporter restarted = exporter("pod-1", 100); // the same pod, restarted

        assertThat(restarted.exportOnce()).isEqualTo(8);
        List<ReceivedEvent> events = hub.events();
        assertThat(events).extracting(e -> (String) e.messageId()).containsExactlyElementsOf(
                Stream.concat(before.stream(), after.stream()).map(r -> r.id().toString()).toList());
        assertThat(restarted.exportOnce()).isZero();
    }

    @Test
    void ofTwoReplicasOneExportsUntilItGivesTheLeaseUp() throws Exception {
        UsageExporter a = exporter("pod-a", 100);
        UsageExporter b = exporter("pod-b", 100);
        db.write(ExportTestDatabase.records("app-a", 5));
        assertThat(a.exportOnce()).isEqualTo(5);

        db.write(ExportTestDatabase.records("app-a", 5));
        assertThat(b.exportOnce()).isZero(); // pod-a's lease runs
        a.releaseLease(); // pod-a shuts down
        assertThat(b.exportOnce()).isEqualTo(5);

        assertThat(hub.events()).hasSize(10);
        assertThat(distinctIds()).isEqualTo(new HashSet<>(db.ids()));
    }

    @Test
    void aRecordCommittedAfterALaterOneIsNotSkipped() throws Exception {
        UsageExporter exporter = exporter("pod-1", 100);
        UUID late = UUID.randomUUID();
        try (Connection slowWriter = db.dataSource().getConnection()) {
            slowWriter.setAutoCommit(false);
            try (PreparedStatement insert = slowWriter.prepareStatement("insert into usage_record (id, occurred_at, "
                    + "app_id, deployment, operation, stream, status, latency_ms, usage_source) "
                    + "values (?, now(), 'app-late', 'gpt-4o', 'chat/completions', false, 200, 10, 'missing')")) {
                insert.setObject(1, late);
                insert.executeUpdate(); // draws the lower seq, commits last
            }
            db.write(ExportTestDatabase.records("app-a", 3));

            assertThat(exporter.exportOnce()).isZero(); // the later records wait for the earlier transaction
            assertThat(hub.events()).isEmpty();
            slowWriter.commit();
        }
        assertThat(exportAll(exporter)).isEqualTo(4);
        assertThat(distinctIds()).contains(late).isEqualTo(new HashSet<>(db.ids()));
    }

    private UsageExporter exporter(String owner, int batchSize) {
        return exporter(owner, sender(), batchSize);
    }

    private UsageExporter exporter(String owner, UsageEventSender sender, int batchSize) {
        return new UsageExporter(db.dataSource(), sender, UsageExport.POSITION, owner, Duration.ofMinutes(2),
                batchSize, metrics, Clock.systemUTC());
    }

    private UsageEventSender sender() {
        EventHubsTarget target = EventHubsTarget.of(Optional.of(hub.connectionString()), Optional.empty(),
                Optional.empty(), Optional.empty()).orElseThrow();
        EventHubsSender sender = EventHubsSender.connect(target, Duration.ofSeconds(2));
        senders.add(sender);
        return sender;
    }

    private static int exportAll(UsageExporter exporter) throws Exception {
        int total = 0;
        for (int sent = exporter.exportOnce(); sent > 0; sent = exporter.exportOnce()) {
            total += sent;
        }
        return total;
    }

    private Set<UUID> distinctIds() {
        return hub.events().stream().map(e -> UUID.fromString((String) e.messageId())).collect(Collectors.toSet());
    }

    private static long seq(ReceivedEvent event) {
        try {
            return JSON.readTree(event.body()).get("seq").asLong();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertBodyMatches(JsonNode body, UsageRecord record) {
        assertThat(body.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(body.get("type").asText()).isEqualTo("tollgate.usage");
        assertThat(body.get("id").asText()).isEqualTo(record.id().toString());
        assertThat(body.get("seq").asLong()).isPositive();
        assertThat(Instant.parse(body.get("occurredAt").asText())).isEqualTo(record.occurredAt());
        assertThat(body.get("appId").asText()).isEqualTo(record.appId());
        assertThat(text(body, "tenantId")).isEqualTo(record.tenantId());
        assertThat(body.get("deployment").asText()).isEqualTo(record.deployment());
        assertThat(text(body, "model")).isEqualTo(record.model());
        assertThat(text(body, "backendId")).isEqualTo(record.backendId());
        assertThat(text(body, "region")).isEqualTo(record.region());
        assertThat(text(body, "deploymentType"))
                .isEqualTo(record.deploymentType() == null ? null : record.deploymentType().key());
        assertThat(body.get("operation").asText()).isEqualTo(record.operation());
        assertThat(body.get("stream").asBoolean()).isEqualTo(record.stream());
        assertThat(body.get("status").asInt()).isEqualTo(record.status());
        assertThat(body.get("latencyMs").asInt()).isEqualTo(record.latencyMs());
        assertThat(body.get("attempts").asInt()).isEqualTo(record.attempts());
        assertThat(body.get("inputTokens").asLong()).isEqualTo(record.usage().inputTokens());
        assertThat(body.get("cachedInputTokens").asLong()).isEqualTo(record.usage().cachedInputTokens());
        assertThat(body.get("outputTokens").asLong()).isEqualTo(record.usage().outputTokens());
        assertThat(body.get("reasoningTokens").asLong()).isEqualTo(record.usage().reasoningTokens());
        assertThat(body.get("totalTokens").asLong()).isEqualTo(record.usage().totalTokens());
        assertThat(body.get("usageSource").asText()).isEqualTo(record.usage().source().dbValue());
        assertThat(text(body, "upstreamRequestId")).isEqualTo(record.upstreamRequestId());
        assertThat(text(body, "userId")).isEqualTo(record.userId());
        assertThat(body.get("modelInferred").asBoolean()).isEqualTo(record.modelInferred());
        assertThat(text(body, "limitedBy")).isEqualTo(record.limitedBy());
        assertThat(body.size()).isEqualTo(27);
    }

    private static String text(JsonNode body, String field) {
        assertThat(body.has(field)).as("field %s present (null or not)", field).isTrue();
        return body.get(field).isNull() ? null : body.get(field).asText();
    }
}
