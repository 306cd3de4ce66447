package dev.tollgate.pricing.retail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Azure Retail Prices API on loopback, answering with the recorded pages under
 * {@code fixtures/retail-prices/}: no {@code $skip} is page 1, {@code $skip=1000} page 2, {@code $skip=2000} page 3.
 * The pages' NextPageLink points back here. A test can make one page fail instead.
 */
final class FakeRetailPricesApi implements AutoCloseable {

    /** How the fake answers the page it is told to break. */
    enum Failure {
        /** HTTP 500 with an error body, as the API's gateway answers. */
        SERVER_ERROR,
        /** HTTP 200 with JSON cut off in the middle. */
        TRUNCATED_JSON,
        /** HTTP 200 with an HTML page, as a captive proxy answers. */
        HTML,
        /** HTTP 200 with a page whose NextPageLink points at another host. */
        FOREIGN_NEXT_LINK
    }

    /** One request as the fake saw it: the decoded query. */
    record Request(String path, Map<String, String> query) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private volatile int failingPage;
    private volatile Failure failure;

    FakeRetailPricesApi(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Makes {@code page} fail as {@code failure} says; the other pages answer normally. */
    void fail(int page, Failure failure) {
        this.failingPage = page;
        this.failure = failure;
    }

    void reset() {
        requests.clear();
        failingPage = 0;
        failure = null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            requests.add(new Request(exchange.getRequestURI().getPath(), query));
            if (!exchange.getRequestURI().getPath().equals("/api/retail/prices")) {
                send(exchange, 404, "application/json", "{\"Error\":{\"Code\":\"NotFound\"}}");
                return;
            }
            String skip = query.getOrDefault("$skip", "0");
            int page = switch (skip) {
                case "0" -> 1;
                case "1000" -> 2;
                case "2000" -> 3;
                default -> 0;
            };
            if (page == 0) {
                send(exchange, 400, "application/json", "{\"Error\":{\"Code\":\"BadRequest\",\"Message\":\"$skip\"}}");
                return;
            }
            String body = fixture(page).replace("{{base}}", base());
            if (page == failingPage) {
                switch (failure) {
                    case SERVER_ERROR -> {
                        send(exchange, 500, "application/json",
                                "{\"Error\":{\"Code\":\"InternalServerError\",\"Message\":\"Something went wrong\"}}");
                        return;
                    }
                    case TRUNCATED_JSON -> body = body.substring(0, body.length() / 2);
                    case HTML -> {
                        send(exchange, 200, "text/html", "<html><body>Sign in to continue</body></html>");
                        return;
                    }
                    case FOREIGN_NEXT_LINK -> body = body.replace(base(), "https://prices.example.invalid");
                }
            }
            send(exchange, 200, "application/json; charset=utf-8", body);
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    static String fixture(int page) {
        String name = "/fixtures/retail-prices/page-" + page + ".json";
        try (InputStream in = FakeRetailPricesApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("No fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            // Form encoding, as the API reads it: '+' is a space, a literal plus is %2B.
            query.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
