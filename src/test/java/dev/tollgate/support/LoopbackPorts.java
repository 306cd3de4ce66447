package dev.tollgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for servers that a test stops and starts again on the same port (a database going down and
 * coming back). Such a port is taken below Linux's ephemeral range (32768 and up): a port from that range, once its
 * server is down, can be handed to an outgoing connection as its local port, the gateway's own retries included (a
 * TCP connection to an unbound local port of that range can even connect to itself), and the server then cannot bind
 * it again or a client reaches the wrong peer.
 */
public final class LoopbackPorts {

    private static final int LOWEST = 20_000;
    private static final int BELOW_EPHEMERAL = 32_768;

    private LoopbackPorts() {
    }

    /** A port nothing listens on now, outside the range the system gives outgoing connections. */
    public static int outsideEphemeralRange() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, BELOW_EPHEMERAL);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // someone listens there: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port below " + BELOW_EPHEMERAL));
    }
}
