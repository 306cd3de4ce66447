package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The CDI bean's lifecycle, driven by hand (no Quarkus) with a config record. */
class SimulatorTest {

    record TestConfig(boolean enabled, String host, List<Integer> ports, List<String> regions, String apiKey,
                      Duration firstByteDelay, Duration chunkDelay, long tokensPerMinute) implements SimulatorConfig {
        static TestConfig withPorts(List<Integer> ports) {
            return new TestConfig(true, "127.0.0.1", ports, List.of("swedencentral", "eastus2"), "dev-key",
                    Duration.ZERO, Duration.ZERO, 500);
        }
    }

    Vertx vertx;

    @BeforeEach
    void createVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        AoaiTestClient.close(vertx);
    }

    @Test
    void startsOneNamedBackendPerPortWithCycledRegions() throws Exception {
        Simulator simulator = new Simulator(vertx, TestConfig.withPorts(List.of(0, 0, 0)));
        simulator.start();
        try {
            assertThat(simulator.backends()).extracting(SimulatedBackend::name)
                    .containsExactly("sim-1", "sim-2", "sim-3");
            assertThat(simulator.backends()).extracting(SimulatedBackend::region)
                    .containsExactly("swedencentral", "eastus2", "swedencentral");
            assertThat(simulator.backends()).extracting(SimulatedBackend::port).doesNotHaveDuplicates()
                    .allSatisfy(port -> assertThat(port).isPositive());

            SimulatedBackend second = simulator.backend("sim-2");
            assertThat(second.apiKey()).isEqualTo("dev-key");
            assertThat(second.tokensPerMinute()).isEqualTo(500);
            HttpResponse<String> response = new AoaiTestClient(second).post(AoaiTestClient.CHAT_PATH,
                    SimulatedBackendJsonTest.CHAT_BODY);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-ms-region")).hasValue("eastus2");
            assertThat(response.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("452");
            assertThat(second.served()).isEqualTo(1);
            assertThat(simulator.backend("sim-1").requests()).isZero();
        } finally {
            simulator.stop();
        }
        assertThat(simulator.backends()).noneMatch(SimulatedBackend::isRunning);
    }

    @Test
    void takenPortFailsStartupNamingThePortAndReleasesTheOthers() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Simulator simulator = new Simulator(vertx, TestConfig.withPorts(List.of(0, taken.getLocalPort())));

            assertThatThrownBy(simulator::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sim-2")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
            assertThat(simulator.backends()).noneMatch(SimulatedBackend::isRunning);
        }
    }

    @Test
    void backendRefusesASecondStartAndStopsIdempotently() throws Exception {
        SimulatedBackend backend = AoaiTestClient.startBackend(vertx, BackendDefaults.fast());
        int port = backend.port();

        assertThat(backend.isRunning()).isTrue();
        assertThat(backend.url()).isEqualTo("http://127.0.0.1:" + port);
        assertThat(backend.start(vertx, "127.0.0.1").failed()).isTrue();

        backend.stop().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        backend.stop().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(backend.isRunning()).isFalse();
        // Nothing listens there any more. (Binding the port again would be flaky: the kernel may already have
        // handed it out as another connection's ephemeral port.)
        // The listener may take a moment to close after stop completes under load: polled, not asserted once.
        await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> new java.net.Socket(InetAddress.getByName("127.0.0.1"), port).close())
                        .as("port closed on stop").isInstanceOf(java.net.ConnectException.class));
    }

    @Test
    void duplicatePortsAreRefused() {
        assertThatThrownBy(() -> new Simulator(vertx, TestConfig.withPorts(List.of(18099, 18099))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("18099");
    }

    @Test
    void disabledSimulatorHasNoBackends() {
        TestConfig disabled = new TestConfig(false, "127.0.0.1", List.of(18081), List.of("x"), "k",
                Duration.ZERO, Duration.ZERO, 0);
        Simulator simulator = new Simulator(vertx, disabled);
        simulator.start();

        assertThat(simulator.backends()).isEmpty();
        assertThatThrownBy(() -> simulator.backend("sim-1")).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("enabled");
    }
}
