package dev.tollgate.export;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import com.azure.messaging.eventhubs.models.CreateBatchOptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Sends usage events to Event Hubs with the Azure SDK: per partition key, {@link EventDataBatch}es filled until the
 * hub's maximum message size (a new batch when {@code tryAdd} refuses), sent one after the other so that an app's
 * events keep their order; different keys go in parallel. Each event carries the record id as its message id and
 * {@code application/json} as its content type.
 */
final class EventHubsSender implements UsageEventSender {

    /** Partition keys sent at once; each is one batch in flight at a time. */
    private static final int PARALLEL_KEYS = 8;

    private final EventHubProducerAsyncClient producer;
    private final Duration timeout;

    /**
     * @param timeout how long a whole {@link #send} may take before it is given up (the SDK's own operation timeout
     *                applies to each batch within it)
     */
    EventHubsSender(EventHubProducerAsyncClient producer, Duration timeout) {
        this.producer = producer;
        this.timeout = timeout;
    }

    static EventHubsSender connect(EventHubsTarget target, Duration sendTimeout) {
        // Connects lazily, on the first send: starting never waits for the hub.
        return new EventHubsSender(target.clientBuilder(sendTimeout).buildAsyncProducerClient(),
                sendTimeout.multipliedBy(4));
    }

    @Override
    public void send(Map<String, List<UsageEvent>> eventsByPartitionKey) {
        Mono<Void> all = Flux.fromIterable(eventsByPartitionKey.entrySet())
                .flatMap(entry -> sendInOrder(entry.getKey(), entry.getValue()), PARALLEL_KEYS)
                .then();
        try {
            all.block(timeout);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof TimeoutException) {
                int count = eventsByPartitionKey.values().stream().mapToInt(List::size).sum();
                throw new IllegalStateException("The Event Hub did not accept " + count + " events within " + timeout
                        + " (unreachable, or too slow)");
            }
            throw e;
        }
    }

    private Mono<Void> sendInOrder(String partitionKey, List<UsageEvent> events) {
        CreateBatchOptions options = new CreateBatchOptions().setPartitionKey(partitionKey);
        return producer.createBatch(options).flatMap(batch -> fillAndSend(batch, options, events, 0));
    }

    /** Adds events from {@code from} on until the batch is full, sends it, and goes on with a new one if need be. */
    private Mono<Void> fillAndSend(EventDataBatch batch, CreateBatchOptions options, List<UsageEvent> events,
                                   int from) {
        int next = from;
        while (next < events.size() && tryAdd(batch, events.get(next))) {
            next++;
        }
        if (batch.getCount() == 0) {
            return Mono.error(tooLarge(events.get(next), batch, null));
        }
        Mono<Void> sent = producer.send(batch);
        if (next == events.size()) {
            return sent;
        }
        int rest = next;
        return sent.then(Mono.defer(() -> producer.createBatch(options))).flatMap(fresh -> fillAndSend(fresh, options, events, rest));
    }

    /**
     * False when the batch is full. An event that could never fit, even alone (usage events are well under 1 KB, hubs
     * take at least 256 KB), fails the round, every time: it is reported rather than skipped.
     */
    private static boolean tryAdd(EventDataBatch batch, UsageEvent event) {
        try {
            return batch.tryAdd(eventData(event));
        } catch (AmqpException e) {
            if (e.getErrorCondition() == AmqpErrorCondition.LINK_PAYLOAD_SIZE_EXCEEDED) {
                throw tooLarge(event, batch, e);
            }
            throw e;
        }
    }

    private static IllegalStateException tooLarge(UsageEvent event, EventDataBatch batch, Exception cause) {
        return new IllegalStateException("Usage event " + event.messageId() + " (" + event.toJson().length
                + " bytes) is larger than the hub's maximum message size (" + batch.getMaxSizeInBytes() + " bytes)",
                cause);
    }

    private static EventData eventData(UsageEvent event) {
        EventData data = new EventData(event.toJson());
        data.setMessageId(event.messageId());
        data.setContentType(UsageEvent.CONTENT_TYPE);
        return data;
    }

    @Override
    public void close() {
        producer.close();
    }
}
