package dev.tollgate.export;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.UnsignedLong;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.amqp.messaging.Rejected;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.BaseHandler;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.message.Message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The AMQP side of {@link FakeEventHubs}, run on its proton-j reactor thread: what an Event Hubs namespace does for a
 * producer. It opens what the client opens, answers {@code $cbs} put-token and {@code $management} READ requests on
 * the reply links the client attaches, accepts send links to the hub or one of its partitions (announcing the
 * hub's {@code max-message-size}), and stores every event of every delivery, single or batched, before accepting it.
 */
final class FakeEventHubsHandler extends BaseHandler {

    private static final Symbol PARTITION_KEY = Symbol.valueOf("x-opt-partition-key");
    private static final Symbol NOT_FOUND = Symbol.valueOf("amqp:not-found");
    private static final Symbol MESSAGE_SIZE_EXCEEDED = Symbol.valueOf("amqp:link:message-size-exceeded");
    private static final Symbol NOT_IMPLEMENTED = Symbol.valueOf("amqp:not-implemented");
    private static final String CBS = "$cbs";
    private static final String MANAGEMENT = "$management";
    private static final int CREDIT = 100;

    private final FakeEventHubs hub;
    /** Per connection, the client's reply links by their target address (the requests' reply-to). */
    private final Map<Connection, Map<String, Sender>> replyLinks = new IdentityHashMap<>();
    private final Set<Transport> transports;
    private int roundRobin;

    FakeEventHubsHandler(FakeEventHubs hub, Set<Transport> transports) {
        this.hub = hub;
        this.transports = transports;
    }

    @Override
    public void onConnectionBound(Event event) {
        transports.add(event.getTransport());
    }

    @Override
    public void onTransportClosed(Event event) {
        transports.remove(event.getTransport());
        if (event.getConnection() != null) {
            replyLinks.remove(event.getConnection());
        }
    }

    @Override
    public void onConnectionRemoteOpen(Event event) {
        Connection connection = event.getConnection();
        String[] mechanisms = event.getTransport().sasl().getRemoteMechanisms();
        hub.recordSaslMechanism(mechanisms.length == 0 ? "(none)" : String.join(" ", mechanisms));
        connection.setContainer("fake-event-hubs");
        connection.open();
    }

    @Override
    public void onConnectionRemoteClose(Event event) {
        replyLinks.remove(event.getConnection());
        event.getConnection().close();
    }

    @Override
    public void onSessionRemoteOpen(Event event) {
        event.getSession().open();
    }

    @Override
    public void onSessionRemoteClose(Event event) {
        event.getSession().close();
    }

    @Override
    public void onLinkRemoteOpen(Event event) {
        Link link = event.getLink();
        if (link instanceof Receiver receiver) {
            openIncoming(receiver);
        } else {
            openOutgoing((Sender) link);
        }
    }

    @Override
    public void onLinkRemoteClose(Event event) {
        event.getLink().close();
    }

    @Override
    public void onLinkRemoteDetach(Event event) {
        event.getLink().detach();
    }

    /** A link the client sends on: requests to {@code $cbs} or {@code $management}, or events to the hub. */
    private void openIncoming(Receiver receiver) {
        String address = address(receiver.getRemoteTarget());
        receiver.setSource(receiver.getRemoteSource());
        if (CBS.equals(address) || MANAGEMENT.equals(address)) {
            receiver.setTarget(receiver.getRemoteTarget());
        } else if (partitionOf(address) != null) {
            receiver.setTarget(receiver.getRemoteTarget());
            receiver.setMaxMessageSize(UnsignedLong.valueOf(hub.maxMessageSize()));
        } else {
            refuse(receiver, NOT_FOUND, "The messaging entity '" + address + "' could not be found.");
            return;
        }
        receiver.setSenderSettleMode(receiver.getRemoteSenderSettleMode());
        receiver.setReceiverSettleMode(receiver.getRemoteReceiverSettleMode());
        receiver.open();
        receiver.flow(CREDIT);
    }

    /** A link the client receives on: only the reply links of the request nodes (this fake has no consumers). */
    private void openOutgoing(Sender sender) {
        String source = address(sender.getRemoteSource());
        if (!CBS.equals(source) && !MANAGEMENT.equals(source)) {
            refuse(sender, NOT_IMPLEMENTED, "This fake Event Hub has no consumers (" + source + ")");
            return;
        }
        sender.setSource(sender.getRemoteSource());
        sender.setTarget(sender.getRemoteTarget());
        sender.setSenderSettleMode(sender.getRemoteSenderSettleMode());
        sender.setReceiverSettleMode(sender.getRemoteReceiverSettleMode());
        sender.open();
        replyLinks.computeIfAbsent(sender.getSession().getConnection(), c -> new HashMap<>())
                .put(address(sender.getRemoteTarget()), sender);
    }

    /** As the service does: attach with no terminus, then detach with the error. */
    private static void refuse(Link link, Symbol condition, String description) {
        link.setSource(null);
        link.setTarget(null);
        link.open();
        link.setCondition(new ErrorCondition(condition, description));
        link.close();
    }

    @Override
    public void onDelivery(Event event) {
        Delivery delivery = event.getDelivery();
        if (delivery.getLink() instanceof Sender) {
            // The client's outcome for one of our replies.
            if (delivery.remotelySettled() || delivery.getRemoteState() != null) {
                delivery.settle();
            }
            return;
        }
        Receiver receiver = (Receiver) delivery.getLink();
        if (!delivery.isReadable() || delivery.isPartial()) {
            return; // more frames to come
        }
        byte[] bytes = new byte[delivery.pending()];
        int read = receiver.recv(bytes, 0, bytes.length);
        receiver.advance();
        String address = address(receiver.getRemoteTarget());
        if (CBS.equals(address) || MANAGEMENT.equals(address)) {
            Message request = Proton.message();
            request.decode(bytes, 0, read);
            reply(receiver.getSession().getConnection(), request,
                    CBS.equals(address) ? putToken(request) : read(request));
            delivery.disposition(Accepted.getInstance());
        } else if (read > hub.maxMessageSize()) {
            hub.recordRejected();
            Rejected rejected = new Rejected();
            rejected.setError(new ErrorCondition(MESSAGE_SIZE_EXCEEDED, "The received message (size: " + read
                    + " bytes) exceeds the limit (" + hub.maxMessageSize() + " bytes)"));
            delivery.disposition(rejected);
        } else {
            store(address, delivery.getMessageFormat(), bytes, read);
            delivery.disposition(Accepted.getInstance());
        }
        delivery.settle();
        if (receiver.getCredit() < CREDIT / 2) {
            receiver.flow(CREDIT - receiver.getCredit());
        }
    }

    private void store(String address, int messageFormat, byte[] bytes, int length) {
        boolean batched = messageFormat == AmqpBatch.BATCH_MESSAGE_FORMAT;
        List<Message> events;
        if (batched) {
            byte[] exact = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
            events = AmqpBatch.decode(exact).events();
        } else {
            Message single = Proton.message();
            single.decode(bytes, 0, length);
            events = List.of(single);
        }
        hub.recordDelivery(batched, length);
        String linkPartition = partitionOf(address);
        for (Message message : events) {
            String partitionKey = partitionKey(message.getMessageAnnotations());
            String partition = !linkPartition.isEmpty() ? linkPartition : assign(partitionKey);
            hub.record(new ReceivedEvent(address, partition, partitionKey, message.getMessageId(),
                    message.getContentType(), body(message), batched));
        }
    }

    /** The partition of a send link's address ("" for the hub itself), or null if it is no address of this hub. */
    private String partitionOf(String address) {
        if (hub.name().equals(address)) {
            return "";
        }
        String prefix = hub.name() + "/Partitions/";
        if (address != null && address.startsWith(prefix)) {
            String id = address.substring(prefix.length());
            if (id.matches("\\d+") && Integer.parseInt(id) < hub.partitionCount()) {
                return id;
            }
        }
        return null;
    }

    /** Like the service: the same key always lands in the same partition; no key, round robin. */
    private String assign(String partitionKey) {
        int partition = partitionKey != null
                ? Math.floorMod(partitionKey.hashCode(), hub.partitionCount())
                : roundRobin++ % hub.partitionCount();
        return String.valueOf(partition);
    }

    private static String partitionKey(MessageAnnotations annotations) {
        if (annotations == null || annotations.getValue() == null) {
            return null;
        }
        Object key = annotations.getValue().get(PARTITION_KEY);
        return key == null ? null : key.toString();
    }

    private static byte[] body(Message message) {
        if (message.getBody() instanceof Data data) {
            Binary binary = data.getValue();
            return Arrays.copyOfRange(binary.getArray(), binary.getArrayOffset(),
                    binary.getArrayOffset() + binary.getLength());
        }
        if (message.getBody() instanceof AmqpValue value && value.getValue() != null) {
            return value.getValue().toString().getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0];
    }

    /** {@code $cbs}: any token is good, as the emulator has it; the request is kept for the tests to look at. */
    private Message putToken(Message request) {
        Map<?, ?> properties = applicationProperties(request);
        if (!"put-token".equals(properties.get("operation"))) {
            return response(400, "Unsupported CBS operation " + properties.get("operation"), null);
        }
        hub.recordToken(String.valueOf(properties.get("type")), String.valueOf(properties.get("name")));
        return response(200, "OK", null);
    }

    /** {@code $management}: READ of the hub ({@code com.microsoft:eventhub}) or of one partition. */
    private Message read(Message request) {
        Map<?, ?> properties = applicationProperties(request);
        if (!"READ".equals(properties.get("operation"))) {
            return response(400, "Unsupported management operation " + properties.get("operation"), null);
        }
        if (!hub.name().equals(properties.get("name"))) {
            return response(404, "The messaging entity '" + properties.get("name") + "' could not be found.", null);
        }
        Map<String, Object> body = new HashMap<>();
        body.put("name", hub.name());
        if ("com.microsoft:eventhub".equals(properties.get("type"))) {
            String[] ids = new String[hub.partitionCount()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = String.valueOf(i);
            }
            body.put("type", "com.microsoft:eventhub");
            body.put("created_at", Date.from(hub.createdAt()));
            body.put("partition_count", hub.partitionCount());
            body.put("partition_ids", ids);
            return response(200, "OK", body);
        }
        if ("com.microsoft:partition".equals(properties.get("type"))) {
            String partition = String.valueOf(properties.get("partition"));
            if (partitionOf(hub.name() + "/Partitions/" + partition) == null) {
                return response(404, "Partition '" + partition + "' does not exist.", null);
            }
            long count = hub.events().stream().filter(e -> e.partitionId().equals(partition)).count();
            body.put("type", "com.microsoft:partition");
            body.put("partition", partition);
            body.put("begin_sequence_number", 0L);
            body.put("last_enqueued_sequence_number", count - 1);
            body.put("last_enqueued_offset", String.valueOf(Math.max(0, count - 1)));
            body.put("last_enqueued_time_utc", new Date());
            body.put("is_partition_empty", count == 0);
            return response(200, "OK", body);
        }
        return response(400, "Unsupported entity type " + properties.get("type"), null);
    }

    private static Map<?, ?> applicationProperties(Message request) {
        ApplicationProperties properties = request.getApplicationProperties();
        return properties == null || properties.getValue() == null ? Map.of() : properties.getValue();
    }

    private static Message response(int status, String description, Map<String, Object> body) {
        Message response = Proton.message();
        Map<String, Object> properties = new HashMap<>();
        properties.put("status-code", status);
        properties.put("status-description", description);
        response.setApplicationProperties(new ApplicationProperties(properties));
        if (body != null) {
            response.setBody(new AmqpValue(body));
        }
        return response;
    }

    private void reply(Connection connection, Message request, Message response) {
        Sender sender = replyLinks.getOrDefault(connection, Map.of()).get(request.getReplyTo());
        if (sender == null) {
            return; // nowhere to answer: the client times out, as with the service
        }
        response.setCorrelationId(request.getMessageId());
        byte[] buffer = new byte[64 * 1024];
        int length = response.encode(buffer, 0, buffer.length);
        Delivery delivery = sender.delivery(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        sender.send(buffer, 0, length);
        sender.advance();
        if (sender.getSenderSettleMode() == SenderSettleMode.SETTLED) {
            delivery.settle();
        }
    }

    private static String address(Object terminus) {
        if (terminus instanceof Target target) {
            return target.getAddress();
        }
        if (terminus instanceof Source source) {
            return source.getAddress();
        }
        return null;
    }
}
