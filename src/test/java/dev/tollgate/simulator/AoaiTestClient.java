package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real HTTP calls against a started {@link SimulatedBackend}, as the gateway would make them. */
final class AoaiTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

    /**
     * What a client saw of a streamed answer: the data payloads in arrival order, the {@code event:} name each one
     * came with ({@code null} for a bare data event), and how the stream ended.
     */
    record Stream(HttpResponse<InputStream> response, List<String> events, List<String> eventNames,
                  List<Long> arrivalNanos, IOException failure) {
        List<JsonNode> jsonEvents() {
            return events.stream().filter(e -> !e.equals("[DONE]")).map(AoaiTestClient::parse).toList();
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final SimulatedBackend backend;

    AoaiTestClient(SimulatedBackend backend) {
        this.backend = backend;
    }

    static SimulatedBackend startBackend(Vertx vertx, BackendDefaults defaults) throws Exception {
        return new SimulatedBackend("sim-test", 0, "swedencentral", defaults)
                .start(vertx, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static void close(Vertx vertx) throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
        return post(pathAndQuery, body, "api-key", backend.apiKey());
    }

    /** POST with the given header name/value pairs (and no default api-key). */
    HttpResponse<String> post(String pathAndQuery, String body, String... headers) throws Exception {
        return http.send(request(pathAndQuery, body, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(backend.url() + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    /** Reads the answer line by line as it arrives; a connection cut is recorded, not thrown. */
    Stream stream(String pathAndQuery, String body) throws Exception {
        HttpResponse<InputStream> response = http.send(
                request(pathAndQuery, body, "api-key", backend.apiKey()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        IOException failure = null;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            String name = null; // an event's fields last until the blank line that ends it
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    name = null;
                } else if (line.startsWith("event: ")) {
                    name = line.substring("event: ".length());
                } else if (line.startsWith("data: ")) {
                    events.add(line.substring("data: ".length()));
                    names.add(name);
                    arrivals.add(System.nanoTime());
                }
            }
        } catch (IOException e) {
            failure = e;
        }
        return new Stream(response, events, names, arrivals, failure);
    }
}
