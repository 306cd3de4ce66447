package dev.tollgate.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.admission.alerts.AdmissionMetrics;
import dev.tollgate.admission.alerts.AlertWebhook;
import dev.tollgate.admission.alerts.ThresholdAlerts;
import dev.tollgate.admission.exchange.CounterExchange;
import dev.tollgate.admission.rules.LimitRules;
import dev.tollgate.admission.rules.RuleJson;
import dev.tollgate.admission.rules.RuleStore;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.support.ScratchDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Soft thresholds alert once per threshold and period across replicas, through a webhook received by a local HTTP
 * server on 127.0.0.1 that fails the first delivery (retried), with the body signed.
 */
class SoftThresholdAlertTest {

    private static final String SECRET = "relay-secret";

    private record Delivery(String id, String signature, String body) {
    }

    private final ScratchDatabase database = new ScratchDatabase("admission_alerts");
    private final List<Delivery> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final HttpServer receiver;

    SoftThresholdAlertTest() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/alerts", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // The very first delivery fails: the webhook must retry it.
            if (attempts.getAndIncrement() == 0) {
                exchange.sendResponseHeaders(500, -1);
            } else {
                received.add(new Delivery(exchange.getRequestHeaders().getFirst(AlertWebhook.DELIVERY),
                        exchange.getRequestHeaders().getFirst(AlertWebhook.SIGNATURE),
                        new String(body, StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        database.close();
    }

    @Test
    void aSoftBudgetAlertsOncePerThresholdAcrossReplicasAndNeverRefuses() throws Exception {
        new RuleStore(database.dataSource(), EngineFixture.MAPPER).put(LimitRules.check(new RuleJson(
                EngineFixture.MAPPER).read("soft-budget", """
                {"subject":{"type":"app","id":"spender"},"budget":{"month":"0.05"},"enforcement":"soft"}""")), true);
        // The writer's catalog, which the exchange follows: gpt-4o at 2.50 / 10.00 per 1M tokens.
        try (var connection = database.dataSource().getConnection(); var statement = connection.createStatement()) {
            statement.execute("insert into price (model, deployment_type, currency, input_per_1m, output_per_1m, "
                    + "effective_from, source) values ('gpt-4o', 'global', 'USD', 2.50, 10.00, '2020-01-01', 'test')");
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AlertWebhook webhook = new AlertWebhook(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/alerts"), SECRET, 3, Duration.ofMillis(50), Duration.ofSeconds(2));
        EngineFixture a = new EngineFixture(100);
        EngineFixture b = new EngineFixture(100);
        CounterExchange exchangeA = exchange(a, "replica-a", registry, webhook);
        CounterExchange exchangeB = exchange(b, "replica-b", registry, webhook);
        exchangeA.exchange();
        exchangeB.exchange();

        // Ten requests of 1,000 output tokens of gpt-4o at 10.00 per 1M: 0.01 each, 0.10 in all, twice the budget.
        for (int i = 0; i < 10; i++) {
            EngineFixture replica = i % 2 == 0 ? a : b;
            Decision decision = replica.admit(EngineFixture.chat("spender", "gpt-4o", 992));
            assertThat(decision).isInstanceOf(Admitted.class);
            ((Admitted) decision).ticket().settle(replica.record("spender", 0, 1000));
            exchangeA.exchange();
            exchangeB.exchange();
        }
        exchangeA.exchange();
        exchangeB.exchange();

        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        assertThat(received).extracting(delivery -> EngineFixture.MAPPER.readTree(delivery.body()).get("threshold")
                .asInt()).containsExactlyInAnyOrder(50, 80, 100);
        for (Delivery delivery : received) {
            assertThat(delivery.signature()).isEqualTo("sha256=" + AlertWebhook.sign(
                    SECRET.getBytes(StandardCharsets.UTF_8), delivery.body().getBytes(StandardCharsets.UTF_8)));
            JsonNode json = EngineFixture.MAPPER.readTree(delivery.body());
            assertThat(json.get("ruleId").asText()).isEqualTo("soft-budget");
            assertThat(json.get("subject").asText()).isEqualTo("spender");
            assertThat(json.get("measure").asText()).isEqualTo("cost");
            assertThat(json.get("limit").asText()).isEqualTo("0.05");
            assertThat(json.get("enforcement").asText()).isEqualTo("soft");
        }
        assertThat(attempts.get()).isEqualTo(4); // one failed delivery, retried, and three delivered
        assertThat(received).extracting(Delivery::id).doesNotHaveDuplicates();
        assertThat(registry.find("tollgate.admission.alerts").counters().stream()
                .mapToDouble(counter -> counter.count()).sum()).isEqualTo(3.0);
        assertThat(a.refusals).isEmpty();
        assertThat(b.refusals).isEmpty();
        assertThat(database.queryLong("select count(*) from admission_alert")).isEqualTo(3);
    }

    private CounterExchange exchange(EngineFixture fixture, String replica, SimpleMeterRegistry registry,
                                     AlertWebhook webhook) throws SQLException {
        return new CounterExchange(database.dataSource(), fixture.engine,
                new RuleStore(database.dataSource(), EngineFixture.MAPPER), new PriceCatalogCache(),
                new ThresholdAlerts(new AdmissionMetrics(registry), Optional.of(webhook), ZoneOffset.UTC), replica,
                Duration.ofMinutes(15));
    }
}
