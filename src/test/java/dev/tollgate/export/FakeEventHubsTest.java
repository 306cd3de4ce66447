package dev.tollgate.export;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import com.azure.messaging.eventhubs.EventHubProperties;
import com.azure.messaging.eventhubs.PartitionProperties;
import com.azure.messaging.eventhubs.models.CreateBatchOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fake itself, through the Azure SDK's own producer: what the exporter's tests rely on it for. */
class FakeEventHubsTest {

    private final FakeEventHubs hub = FakeEventHubs.start("usage", 4, 4 * 1024);
    private final EventHubProducerClient producer = new EventHubClientBuilder()
            .connectionString(hub.connectionString())
            .retryOptions(new AmqpRetryOptions().setTryTimeout(Duration.ofSeconds(10)).setMaxRetries(1))
            .buildProducerClient();

    @AfterEach
    void tearDown() {
        producer.close();
        hub.close();
    }

    @Test
    void answersManagementReadsForTheHubAndItsPartitions() {
        EventHubProperties properties = producer.getEventHubProperties();
        assertThat(properties.getName()).isEqualTo("usage");
        assertThat(properties.getPartitionIds()).containsExactly("0", "1", "2", "3");
        assertThat(producer.getPartitionIds()).containsExactly("0", "1", "2", "3");

        PartitionProperties partition = producer.getPartitionProperties("2");
        assertThat(partition.getId()).isEqualTo("2");
        assertThat(partition.isEmpty()).isTrue();
        assertThat(hub.saslMechanisms()).containsOnly("ANONYMOUS");
    }

    @Test
    void decodesBatchesAndKeepsEachEventsPropertiesAndPartitionKey() {
        EventDataBatch batch = producer.createBatch(new CreateBatchOptions().setPartitionKey("app-1"));
        // The link's max-message-size (4 KiB here) is the batch's limit.
        assertThat(batch.getMaxSizeInBytes()).isEqualTo(4 * 1024);
        for (int i = 0; i < 3; i++) {
            EventData event = new EventData("{\"n\":" + i + "}");
            event.setMessageId("id-" + i);
            event.setContentType("application/json");
            assertThat(batch.tryAdd(event)).isTrue();
        }
        producer.send(batch);

        // The SDK authorized its link to the hub with a SAS token over $cbs first.
        assertThat(hub.tokenAudiences()).isNotEmpty().allSatisfy(a -> assertThat(a).endsWith("/usage"));
        List<ReceivedEvent> events = hub.events();
        assertThat(events).extracting(ReceivedEvent::messageId).containsExactly("id-0", "id-1", "id-2");
        assertThat(events).extracting(ReceivedEvent::bodyText).containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.partitionKey()).isEqualTo("app-1");
            assertThat(e.contentType()).isEqualTo("application/json");
            assertThat(e.entityPath()).isEqualTo("usage");
            assertThat(e.batched()).isTrue();
        });
        assertThat(events).extracting(ReceivedEvent::partitionId).containsOnly(events.get(0).partitionId());
        assertThat(hub.batchDeliveries()).isEqualTo(1);
    }

    @Test
    void takesSingleEventsAndPartitionLinks() {
        EventDataBatch batch = producer.createBatch(new CreateBatchOptions().setPartitionId("3"));
        assertThat(batch.tryAdd(new EventData("alone".getBytes(StandardCharsets.UTF_8)))).isTrue();
        producer.send(batch);

        assertThat(hub.events()).singleElement().satisfies(e -> {
            assertThat(e.entityPath()).isEqualTo("usage/Partitions/3");
            assertThat(e.partitionId()).isEqualTo("3");
            assertThat(e.bodyText()).isEqualTo("alone");
            assertThat(e.batched()).isFalse(); // a batch of one goes as a plain message
        });
    }

    @Test
    void batchesRespectTheLinksMaximumMessageSize() {
        EventDataBatch batch = producer.createBatch(new CreateBatchOptions().setPartitionKey("app-2"));
        int added = 0;
        while (batch.tryAdd(new EventData(new byte[500]))) {
            added++;
        }
        assertThat(added).isBetween(5, 8);
        producer.send(batch);
        assertThat(hub.events()).hasSize(added);
        assertThat(hub.largestDelivery()).isLessThanOrEqualTo(4 * 1024);
        assertThat(hub.rejectedDeliveries()).isZero();
    }

    @Test
    void comesBackOnTheSamePortAfterGoingAway() {
        producer.send(List.of(new EventData("before")));
        hub.goAway();
        hub.comeBack();
        // The SDK may still be tearing down its old session when the first send comes: the export loop retries such a
        // send, and so does the test, until the client has reconnected to the same port.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            producer.send(List.of(new EventData("after")));
            return true;
        });
        assertThat(hub.events()).extracting(ReceivedEvent::bodyText).containsExactly("before", "after");
    }
}
