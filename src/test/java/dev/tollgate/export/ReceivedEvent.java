package dev.tollgate.export;

import java.nio.charset.StandardCharsets;

/**
 * One event as the fake Event Hub stored it.
 *
 * @param entityPath   the link's target: {@code <hub>} or {@code <hub>/Partitions/<n>}
 * @param partitionId  the partition it landed in (the link's, or the one its partition key hashes to)
 * @param partitionKey the {@code x-opt-partition-key} message annotation, null if none
 * @param messageId    the AMQP message-id property, as sent (a String for ours)
 * @param contentType  the AMQP content-type property, null if none
 * @param body         the event's Data section
 * @param batched      whether it came inside a batch delivery (message format {@code 0x80013700})
 */
record ReceivedEvent(String entityPath, String partitionId, String partitionKey, Object messageId,
                     String contentType, byte[] body, boolean batched) {

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
