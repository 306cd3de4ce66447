package dev.tollgate.export;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.engine.Transport;
import org.apache.qpid.proton.engine.impl.TransportImpl;
import org.apache.qpid.proton.reactor.Acceptor;
import org.apache.qpid.proton.reactor.Reactor;
import org.apache.qpid.proton.reactor.ReactorOptions;
import org.apache.qpid.proton.reactor.Selectable;
import org.apache.qpid.proton.reactor.impl.AcceptorImpl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for an Event Hubs namespace with one hub, speaking AMQP 1.0 over plain TCP on loopback as the
 * Event Hubs emulator does, so that the real Azure SDK producer talks to it with a connection string ending in
 * {@code UseDevelopmentEmulator=true}. Built on Qpid Proton-J's reactor (the library under the SDK itself); the
 * protocol work is in {@link FakeEventHubsHandler}.
 *
 * <p>It can {@linkplain #goAway() go away} (every connection cut, the port closed: the client sees resets, then
 * refused connections) and {@linkplain #comeBack() come back} on the same port, and it keeps every event it
 * accepted, in arrival order, for the tests to assert on.
 */
final class FakeEventHubs implements AutoCloseable {

    private final String name;
    private final int partitionCount;
    private final int maxMessageSize;
    private final Instant createdAt = Instant.now();
    private final List<ReceivedEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> tokenAudiences = new CopyOnWriteArrayList<>();
    private final List<String> saslMechanisms = new CopyOnWriteArrayList<>();
    private final AtomicInteger deliveries = new AtomicInteger();
    private final AtomicInteger batchDeliveries = new AtomicInteger();
    private final AtomicInteger largestDelivery = new AtomicInteger();
    private final AtomicInteger rejectedDeliveries = new AtomicInteger();
    private int port;
    private Running running;

    private FakeEventHubs(String name, int partitionCount, int maxMessageSize) {
        this.name = name;
        this.partitionCount = partitionCount;
        this.maxMessageSize = maxMessageSize;
    }

    /** A hub of that name and partition count whose links take deliveries of at most {@code maxMessageSize}. */
    static FakeEventHubs start(String name, int partitionCount, int maxMessageSize) {
        FakeEventHubs hub = new FakeEventHubs(name, partitionCount, maxMessageSize);
        hub.comeBack();
        return hub;
    }

    /** What the SDK needs to reach it: plain AMQP on the port, any key (checked by nobody, as by the emulator). */
    String connectionString() {
        return "Endpoint=sb://127.0.0.1:" + port + ";SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==;EntityPath="
                + name + ";UseDevelopmentEmulator=true";
    }

    /** Listens (again) on the port it had, or on a free one the first time. */
    synchronized void comeBack() {
        if (running == null) {
            running = new Running(port);
            port = running.port;
        }
    }

    /** Cuts every connection and stops listening, as a network partition or a dead namespace would. */
    synchronized void goAway() {
        if (running != null) {
            running.stop();
            running = null;
        }
    }

    @Override
    public void close() {
        goAway();
    }

    /** Every event accepted so far, in arrival order. */
    List<ReceivedEvent> events() {
        return List.copyOf(events);
    }

    /** The audience of every CBS put-token request, in order. */
    List<String> tokenAudiences() {
        return List.copyOf(tokenAudiences);
    }

    int deliveries() {
        return deliveries.get();
    }

    int batchDeliveries() {
        return batchDeliveries.get();
    }

    int largestDelivery() {
        return largestDelivery.get();
    }

    int rejectedDeliveries() {
        return rejectedDeliveries.get();
    }

    String name() {
        return name;
    }

    int partitionCount() {
        return partitionCount;
    }

    int maxMessageSize() {
        return maxMessageSize;
    }

    Instant createdAt() {
        return createdAt;
    }

    void record(ReceivedEvent event) {
        events.add(event);
    }

    void recordDelivery(boolean batched, int size) {
        deliveries.incrementAndGet();
        if (batched) {
            batchDeliveries.incrementAndGet();
        }
        largestDelivery.accumulateAndGet(size, Math::max);
    }

    void recordRejected() {
        rejectedDeliveries.incrementAndGet();
    }

    /** The SASL mechanism each client chose (the SDK offers only ANONYMOUS on a non-TLS emulator connection). */
    List<String> saslMechanisms() {
        return List.copyOf(saslMechanisms);
    }

    void recordSaslMechanism(String mechanism) {
        saslMechanisms.add(mechanism);
    }

    void recordToken(String type, String audience) {
        tokenAudiences.add(audience);
    }

    /** One period of being up: a reactor, its acceptor and its thread. */
    private final class Running {

        private final Reactor reactor;
        private final Acceptor acceptor;
        private final Set<Transport> transports = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Thread thread;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile boolean stopRequested;
        private final int port;

        Running(int port) {
            try {
                ReactorOptions options = new ReactorOptions();
                options.setEnableSaslByDefault(true); // the acceptor then offers SASL ANONYMOUS, which the SDK uses
                reactor = Proton.reactor(options);
                reactor.setTimeout(100);
                acceptor = reactor.acceptor("127.0.0.1", port, new FakeEventHubsHandler(FakeEventHubs.this, transports));
                this.port = ((AcceptorImpl) acceptor).getPortNumber();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the fake Event Hub", e);
            }
            thread = new Thread(this::run, "fake-event-hubs-" + this.port);
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                reactor.start();
                while (!stopRequested && reactor.process()) {
                    // one round of I/O and events at a time, until asked to stop
                }
                // Not reactor.stop(): that would close connections the AMQP way. Leave abruptly instead.
                cutEverything();
            } finally {
                reactor.free();
                stopped.countDown();
            }
        }

        /** Closes sockets under the transports, not AMQP-closing them: the client must see the network go. */
        private void cutEverything() {
            acceptor.close();
            for (Transport transport : new ArrayList<>(transports)) {
                Selectable selectable = ((TransportImpl) transport).getSelectable();
                if (selectable != null && selectable.getChannel() != null) {
                    try {
                        ((Channel) selectable.getChannel()).close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                transport.close_tail();
                transport.close_head();
            }
            transports.clear();
        }

        void stop() {
            stopRequested = true;
            reactor.wakeup();
            try {
                if (!stopped.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("The fake Event Hub did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
