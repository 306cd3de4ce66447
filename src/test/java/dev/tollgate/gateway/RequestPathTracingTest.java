package dev.tollgate.gateway;

import dev.tollgate.proxy.AttemptTracing;
import dev.tollgate.simulator.SimulatedBackend;
import dev.tollgate.simulator.Simulator;
import dev.tollgate.support.TestTokens;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces follow the chain: the caller's {@code traceparent} is honoured, every stage has a span under the request's
 * server span, every upstream attempt has one under the proxy stage (target, attempt, status), and the backend
 * receives the trace context of the attempt that reached it.
 */
@QuarkusTest
class RequestPathTracingTest {

    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":\"Trace me\"}]}";

    @Inject
    InMemorySpanExporter spans;

    @Inject
    Simulator simulator;

    @BeforeEach
    void reset() {
        simulator.resetAll();
    }

    @Test
    void aFailedOverRequestShowsEachStageAndEachAttempt() {
        String traceId = hex(32);
        String callerSpanId = hex(16);
        simulator.backend("sim-1").failNext(1, 503);

        Response response = given().contentType("application/json").auth().oauth2(TestTokens.v1("app-traced"))
                .header("traceparent", "00-" + traceId + "-" + callerSpanId + "-01").body(BODY)
                .post("/openai/deployments/stream-failover/chat/completions?api-version=2024-10-21");
        response.then().statusCode(200);

        List<SpanData> trace = await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems()
                .stream().filter(span -> span.getTraceId().equals(traceId)).toList(), found -> found.size() >= 8);
        // The gateway's server span (the simulated backends, on the same Vert.x, have server spans of their own).
        SpanData server = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER)
                .filter(span -> span.getAttributes().get(AttributeKey.stringKey(StageTracing.REQUEST_ID)) != null)
                .findFirst().orElseThrow();
        assertThat(server.getParentSpanId()).as("the caller's traceparent is honoured").isEqualTo(callerSpanId);
        assertThat(server.getAttributes().get(AttributeKey.stringKey(StageTracing.REQUEST_ID)))
                .isEqualTo(response.header("x-request-id"));
        assertThat(server.getAttributes().get(AttributeKey.stringKey(StageTracing.APP_ID))).isEqualTo("app-traced");

        List<String> stages = trace.stream().filter(span -> span.getParentSpanId().equals(server.getSpanId()))
                .filter(span -> span.getKind() == SpanKind.INTERNAL)
                .sorted((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos()))
                .map(SpanData::getName).toList();
        assertThat(stages).containsExactly("identity", "metering", "request", "admission", "proxy");

        SpanData proxy = trace.stream().filter(span -> span.getName().equals("proxy")).findFirst().orElseThrow();
        List<SpanData> attempts = trace.stream().filter(span -> span.getKind() == SpanKind.CLIENT)
                .filter(span -> span.getParentSpanId().equals(proxy.getSpanId()))
                .sorted((a, b) -> Long.compare(a.getStartEpochNanos(), b.getStartEpochNanos())).toList();
        assertThat(attempts).hasSize(2);
        assertThat(attribute(attempts.get(0), AttemptTracing.BACKEND)).isEqualTo("sim-1");
        assertThat(attempts.get(0).getAttributes().get(AttributeKey.longKey(AttemptTracing.STATUS))).isEqualTo(503);
        assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attribute(attempts.get(1), AttemptTracing.BACKEND)).isEqualTo("sim-2");
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey(AttemptTracing.ATTEMPT))).isEqualTo(2);
        assertThat(attempts.get(1).getAttributes().get(AttributeKey.longKey(AttemptTracing.STATUS))).isEqualTo(200);

        SimulatedBackend served = simulator.backend("sim-2");
        assertThat(served.lastRequest().header("traceparent")).as("the backend joins the caller's trace")
                .startsWith("00-" + traceId + "-" + attempts.get(1).getSpanId() + "-");
    }

    @Test
    void aRefusedRequestEndsTheChainAtTheStageThatRefusedIt() {
        String traceId = hex(32);
        given().contentType("application/json").auth().oauth2(TestTokens.v1("app-traced"))
                .header("traceparent", "00-" + traceId + "-" + hex(16) + "-01").body("{not json")
                .post("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
                .then().statusCode(400);

        List<SpanData> stages = await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems()
                .stream().filter(span -> span.getTraceId().equals(traceId))
                .filter(span -> span.getKind() == SpanKind.INTERNAL).toList(), found -> found.size() >= 3);
        assertThat(stages).extracting(SpanData::getName).containsExactlyInAnyOrder("identity", "metering", "request");
        assertThat(stages).filteredOn(span -> span.getName().equals("request")).singleElement()
                .extracting(span -> span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    private static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private static String hex(int digits) {
        StringBuilder hex = new StringBuilder();
        while (hex.length() < digits) {
            hex.append(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
        }
        return hex.substring(0, digits);
    }
}
