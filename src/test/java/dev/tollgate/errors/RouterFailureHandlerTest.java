package dev.tollgate.errors;

import dev.tollgate.proxy.ProxyConfig;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.HttpClosedException;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Callers that leave in the middle of an upload, on a real socket: the gateway logs no ERROR for them (a caller
 * leaving is not a fault of the gateway) and keeps serving.
 */
@QuarkusTest
class RouterFailureHandlerTest {

    private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";
    private static final byte[] CHUNK = new byte[64 * 1024];

    static {
        Arrays.fill(CHUNK, (byte) 'x');
    }

    @TestHTTPResource("/")
    URL root;

    @Inject
    ProxyConfig proxy;

    @Test
    void aCallerThatLeavesItsOversizedUploadAfterThe413IsNoServerError() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            try (Socket socket = upload()) {
                long sent = 0;
                while (sent <= proxy.maxRequestBodyBytes()) {
                    sendChunk(socket.getOutputStream());
                    sent += CHUNK.length;
                }
                BufferedReader answer = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(answer.readLine()).startsWith("HTTP/1.1 413");
            } // closed in the middle of the body, with the rest of the answer unread
            logs.awaitConnectionClosed();
            assertThat(logs.errors()).isEmpty();
        }
        assertTheGatewayStillServes();
    }

    @Test
    void aCallerThatLeavesInTheMiddleOfItsUploadIsNoServerError() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            try (Socket socket = upload()) {
                for (int i = 0; i < 16; i++) {
                    sendChunk(socket.getOutputStream());
                }
            }
            logs.awaitConnectionClosed();
            assertThat(logs.errors()).isEmpty();
        }
        assertTheGatewayStillServes();
    }

    /** A socket with the head of a chat request whose chunked body is still to come. */
    private Socket upload() throws IOException {
        Socket socket = new Socket(root.getHost(), root.getPort());
        socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
        socket.getOutputStream().write(("POST " + CHAT + " HTTP/1.1\r\n"
                + "Host: " + root.getHost() + ":" + root.getPort() + "\r\n"
                + "Authorization: Bearer " + TestTokens.v1("app-leaving") + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static void sendChunk(OutputStream out) throws IOException {
        out.write((Integer.toHexString(CHUNK.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(CHUNK);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static void assertTheGatewayStillServes() {
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-after-leaving"))
                .body("{\"messages\":[{\"role\":\"user\",\"content\":\"Still there?\"}]}").post(CHAT)
                .then().statusCode(200);
    }

    /**
     * Every log record of the application while open, with {@link RouterFailureHandler}'s DEBUG ones, which tell when
     * it has seen the connection close.
     */
    private static final class LogCapture extends Handler implements AutoCloseable {

        private final List<LogRecord> records = new CopyOnWriteArrayList<>();
        private final Logger handlerLogger = Logger.getLogger(RouterFailureHandler.class.getName());
        private final Level handlerLevel = handlerLogger.getLevel();

        LogCapture() {
            handlerLogger.setLevel(Level.FINE);
            Logger.getLogger("").addHandler(this);
        }

        /** Until the failure handler has been told that the caller's connection closed (the last news of a caller). */
        void awaitConnectionClosed() {
            await().atMost(Duration.ofSeconds(20)).until(() -> records.stream().anyMatch(record ->
                    RouterFailureHandler.class.getName().equals(record.getLoggerName())
                            && record.getThrown() instanceof HttpClosedException));
        }

        List<String> errors() {
            return records.stream().filter(record -> record.getLevel().intValue() >= Level.SEVERE.intValue())
                    .map(record -> record.getLoggerName() + ": " + record.getMessage() + " " + record.getThrown())
                    .toList();
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
            handlerLogger.setLevel(handlerLevel);
        }
    }
}
