package dev.tollgate.export;

import java.util.List;
import java.util.Map;

/** Where exported usage events go. Implementations are used by one exporter thread at a time. */
public interface UsageEventSender extends AutoCloseable {

    /**
     * Sends every event, each list under its partition key and in its order. Returns only once the destination has
     * accepted all of them; throws if it did not (some may have been accepted: the caller sends them all again).
     */
    void send(Map<String, List<UsageEvent>> eventsByPartitionKey);

    @Override
    void close();
}
