package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static dev.tollgate.simulator.AoaiTestClient.CHAT_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The standalone simulator used by bench/balancing.sh: option parsing, start-up, counters and the stats file. */
class SimulatorMainTest {

    @Test
    void argumentsWinOverSystemPropertiesWhichWinOverDefaults() {
        Properties properties = new Properties();
        properties.setProperty("tollgate.simulator.ports", "1,2,3");
        properties.setProperty("tollgate.simulator.chunk-delay", "7ms");

        SimulatorMain.Options options = SimulatorMain.Options.parse(
                new String[] {"--ports=19181,19182", "--tokens-per-minute=20000,0", "--first-byte-delay=1.5s"},
                properties);

        assertThat(options.ports()).containsExactly(19181, 19182);
        assertThat(options.names()).containsExactly("sim1", "sim2");
        assertThat(options.tokensPerMinute()).containsExactly(20_000L, 0L);
        assertThat(options.firstByteDelay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.chunkDelay()).isEqualTo(Duration.ofMillis(7));
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.apiKey()).isEqualTo("sim-key");
        assertThat(options.statsFile()).isEmpty();
    }

    @Test
    void oneTokenLimitAppliesToEveryBackendAndDurationsTakeSeveralForms() {
        SimulatorMain.Options options = SimulatorMain.Options.parse(
                new String[] {"--ports=0,0,0", "--tokens-per-minute=5000", "--chunk-delay=PT0.02S",
                        "--first-byte-delay=25"}, new Properties());

        assertThat(options.tokensPerMinute()).containsExactly(5_000L, 5_000L, 5_000L);
        assertThat(options.chunkDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(options.firstByteDelay()).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void rejectsWhatWouldSilentlyMisconfigureARun() {
        Properties none = new Properties();
        assertThatThrownBy(() -> SimulatorMain.Options.parse(new String[] {"--port=1"}, none))
                .hasMessageContaining("Unknown option --port");
        assertThatThrownBy(() -> SimulatorMain.Options.parse(new String[] {"--ports=1,1"}, none))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> SimulatorMain.Options.parse(new String[] {"--ports=1,2,3", "--tokens-per-minute=1,2"},
                none)).hasMessageContaining("one per port");
        assertThatThrownBy(() -> SimulatorMain.Options.parse(new String[] {"--chunk-delay=fast"}, none))
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> SimulatorMain.Options.parse(new String[] {"ports=1"}, none))
                .hasMessageContaining("--option=value");
    }

    @Test
    void countsRequestsAndRefusalsPerBackendAndWritesThemToTheStatsFile(@TempDir Path dir) throws Exception {
        Path statsFile = dir.resolve("stats.txt");
        SimulatorMain.Options options = SimulatorMain.Options.parse(new String[] {"--ports=0,0",
                "--tokens-per-minute=1,0", "--first-byte-delay=0", "--chunk-delay=0",
                "--stats-file=" + statsFile, "--stats-interval=50ms"}, new Properties());
        Vertx vertx = Vertx.vertx();
        SimulatorMain main = SimulatorMain.start(options, vertx);
        try {
            List<SimulatedBackend> backends = main.backends();
            AoaiTestClient throttled = new AoaiTestClient(backends.get(0));
            AoaiTestClient generous = new AoaiTestClient(backends.get(1));
            String body = SimulatedBackendBehaviourTest.CHAT_BODY;

            assertThat(throttled.post(CHAT_PATH, body).statusCode()).isEqualTo(200); // 0 < 1: admitted
            HttpResponse<String> refused = throttled.post(CHAT_PATH, body);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("retry-after")).isPresent();
            for (int i = 0; i < 3; i++) {
                assertThat(generous.post(CHAT_PATH, body).statusCode()).isEqualTo(200);
            }
            assertThat(main.stats()).contains(
                    "sim1 " + backends.get(0).port() + " 1 2 1 1\n",
                    "sim2 " + backends.get(1).port() + " 0 3 3 0\n");
        } finally {
            main.stop();
        }
        // stop() writes the final counters before closing, whatever the periodic writer last wrote
        assertThat(Files.readString(statsFile)).startsWith("# name port").contains(" 1 2 1 1\n", " 0 3 3 0\n");
        assertThat(Files.exists(dir.resolve("stats.txt.tmp"))).isFalse();
    }

    @Test
    void aTakenPortFailsStartUpNamingIt() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            SimulatorMain first = SimulatorMain.start(
                    SimulatorMain.Options.parse(new String[] {"--ports=0"}, new Properties()), vertx);
            int taken = first.backends().get(0).port();
            Vertx other = Vertx.vertx();
            try {
                assertThatThrownBy(() -> SimulatorMain.start(SimulatorMain.Options.parse(
                        new String[] {"--ports=" + taken}, new Properties()), other))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining(String.valueOf(taken));
            } finally {
                AoaiTestClient.close(other);
            }
            first.stop();
        } finally {
            vertx.close();
        }
    }
}
