package dev.tollgate.it;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11's faults on the packaged gateway as real processes (see {@link FaultHarness}): killed with SIGKILL
 * mid-stream and started again, stopped with SIGTERM under continuous load, stopped with SIGTERM while streams outlive
 * the drain, started while PostgreSQL is down. In every scenario each request the backend served is recorded exactly
 * once. Each logs a {@code FAULT-SUITE} line with its figures (bench/faults.sh collects them).
 */
class JournalFaultIT {

    @Test
    void sigkillMidStreamThenRestartRecordsEveryServedRequestOnceFinishedExactlyCutOnesInterrupted() throws Exception {
        try (FaultHarness harness = new FaultHarness("sigkill", "100ms")) {
            harness.startDatabase();
            Process gateway = harness.startGateway(Map.of());
            String app = "sigkill-" + UUID.randomUUID();
            Set<String> finished = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = harness.http.send(harness.chat(app, false, 20),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                finished.add(response.headers().firstValue("x-request-id").orElseThrow());
            }
            // Streams of ~100 chunks, 100 ms apart: each under way (its headers and first event came) when killed.
            Set<String> streaming = ConcurrentHashMap.newKeySet();
            List<CompletableFuture<HttpResponse<java.io.InputStream>>> streams = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                streams.add(harness.http.sendAsync(harness.chat(app, true, 400), HttpResponse.BodyHandlers.ofInputStream())
                        .thenApply(response -> {
                            streaming.add(response.headers().firstValue("x-request-id").orElseThrow());
                            return response;
                        }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> streaming.size() == 8);
            for (CompletableFuture<HttpResponse<java.io.InputStream>> stream : streams) {
                assertThat(stream.get().body().read()).isNotNegative();
            }
            // Beyond one sync interval (20 ms): the journal holds every request under way.
            TimeUnit.MILLISECONDS.sleep(300);
            gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

            harness.startGateway(Map.of());

            Set<String> served = ConcurrentHashMap.newKeySet();
            served.addAll(finished);
            served.addAll(streaming);
            await().atMost(Duration.ofSeconds(30)).until(() -> harness.rows(served).size() >= served.size());
            List<String[]> rows = harness.rows(served);
            FaultHarness.figures("sigkill-mid-stream", served, rows);
            assertThat(rows).hasSize(served.size());
            assertThat(rows).filteredOn(row -> finished.contains(row[0])).allMatch(row -> row[1].equals("reported"));
            assertThat(rows).filteredOn(row -> streaming.contains(row[0])).allMatch(row -> row[1].equals("interrupted"));
        }
    }

    @Test
    void sigtermUnderContinuousLoadLosesNothingAndExitsWithinTheConfiguredTime() throws Exception {
        try (FaultHarness harness = new FaultHarness("sigterm", "100ms")) {
            harness.startDatabase();
            Process gateway = harness.startGateway(Map.of("quarkus.shutdown.delay", "PT1S",
                    "quarkus.shutdown.timeout", "PT3S"));
            String app = "sigterm-" + UUID.randomUUID();
            Set<String> served = ConcurrentHashMap.newKeySet();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger badRefusals = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                boolean longStreams = c == 0;
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        try {
                            // Client 0: streams (chunks 100 ms apart); the others: short answers.
                            HttpResponse<java.io.InputStream> response = harness.http.send(
                                    harness.chat(app, longStreams, longStreams ? 4000 : 10),
                                    HttpResponse.BodyHandlers.ofInputStream());
                            if (response.statusCode() == 200) {
                                // Served from the moment the answer began, whether or not it is cut later.
                                served.add(response.headers().firstValue("x-request-id").orElseThrow());
                            }
                            String body;
                            try (java.io.InputStream in = response.body()) {
                                body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                            }
                            if (response.statusCode() == 503) {
                                refused.incrementAndGet();
                                if (!body.contains("\"ServiceUnavailable\"")
                                        || response.headers().firstValue("retry-after").isEmpty()) {
                                    badRefusals.incrementAndGet();
                                }
                            }
                        } catch (java.io.IOException e) {
                            // a connection refused once the gateway stopped listening, or a stream cut at its deadline
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                client.start();
                clients.add(client);
            }
            TimeUnit.SECONDS.sleep(2);
            long stop = System.nanoTime();
            gateway.destroy();
            assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).as("exited").isTrue();
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stop);
            running.set(false);
            for (Thread client : clients) {
                client.join(10_000);
            }

            List<String[]> rows = harness.rows(served);
            FaultHarness.figures("sigterm-under-load", served, rows);
            assertThat(rows.stream().map(row -> row[0]).distinct().count()).isEqualTo(served.size());
            assertThat(rows).hasSize(served.size());
            assertThat(badRefusals.get()).as("503s in the AOAI shape with Retry-After").isZero();
            // pre-stop delay 1 s + drain 3 s + the writer's last batch, well within the margin
            assertThat(exitMillis).as("exit time after SIGTERM").isLessThan(12_000);
        }
    }

    @Test
    void streamsStillRunningAtTheDrainDeadlineAreRecordedOnceWithTheirEstimateBeforeTheProcessExits() throws Exception {
        // Streams of ~27 events 1 s apart (~27 s each) outlive the pre-stop delay (1 s) and the drain (2 s) by far.
        try (FaultHarness harness = new FaultHarness("sigterm-deadline", "1s")) {
            harness.startDatabase();
            Process gateway = harness.startGateway(Map.of("quarkus.shutdown.delay", "PT1S",
                    "quarkus.shutdown.timeout", "PT2S"));
            String app = "deadline-" + UUID.randomUUID();
            int streamCount = 3;
            Set<String> streaming = ConcurrentHashMap.newKeySet();
            Map<String, StringBuffer> bodies = new ConcurrentHashMap<>();
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < streamCount; i++) {
                Thread reader = new Thread(() -> {
                    try {
                        HttpResponse<java.io.InputStream> response = harness.http.send(harness.chat(app, true, 400),
                                HttpResponse.BodyHandlers.ofInputStream());
                        String id = response.headers().firstValue("x-request-id").orElseThrow();
                        StringBuffer body = new StringBuffer();
                        bodies.put(id, body);
                        streaming.add(id);
                        try (java.io.InputStream in = response.body()) {
                            byte[] chunk = new byte[8192];
                            for (int read; (read = in.read(chunk)) >= 0; ) {
                                body.append(new String(chunk, 0, read, java.nio.charset.StandardCharsets.UTF_8));
                            }
                        }
                    } catch (java.io.IOException e) {
                        // the stream cut when the gateway stopped
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                reader.start();
                readers.add(reader);
            }
            // Every stream under way, its answer begun (some tokens relayed, so the estimate counts output too).
            await().atMost(Duration.ofSeconds(20)).until(() -> streaming.size() == streamCount
                    && bodies.values().stream().allMatch(body -> body.toString().contains("\"content\"")));
            long stop = System.nanoTime();
            gateway.destroy();
            assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).as("exited").isTrue();
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stop);
            for (Thread reader : readers) {
                reader.join(10_000);
            }

            // The gateway is not started again: what is in PostgreSQL now was written before it exited.
            List<String[]> rows = harness.rows(streaming);
            FaultHarness.figures("sigterm-drain-deadline", streaming, rows);
            assertThat(bodies.values()).as("cut at the deadline, not finished")
                    .noneMatch(body -> body.toString().contains("[DONE]"));
            assertThat(rows).as("one record per stream").hasSize(streamCount);
            assertThat(rows.stream().map(row -> row[0]).distinct().count()).isEqualTo(streamCount);
            for (String[] row : rows) {
                assertThat(row[1]).as("usage_source of %s", row[0]).isEqualTo("estimated");
                assertThat(row[2]).as("status: the backend's").isEqualTo("200");
                assertThat(Long.parseLong(row[3])).as("the prompt's tokens").isPositive();
                assertThat(Long.parseLong(row[4])).as("the output relayed so far").isPositive();
            }
            // Recorded by the relay as the deadline closes its connections (the event loops still run then), or else
            // by the shutdown's synchronous sweep: which one is a race; that none fails is not.
            assertThat(harness.gatewayLogs()).contains("Profile prod activated")
                    .doesNotContain("RejectedExecutionException").doesNotContain("Could not record request");
            assertThat(harness.journalFiles()).as("nothing left for the next start").isEmpty();
            // pre-stop delay 1 s + drain 2 s + recording and the writer's last batch
            assertThat(exitMillis).as("exit time after SIGTERM").isLessThan(12_000);
        }
    }

    @Test
    void startedWithTheDatabaseDownItServesAndWritesEverythingOnceTheDatabaseIsUp() throws Exception {
        try (FaultHarness harness = new FaultHarness("db-down", "5ms")) {
            harness.startDatabase();
            harness.stopDatabase();
            harness.startGateway(Map.of());
            HttpResponse<String> ready = harness.get("/q/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("waiting");
            String app = "db-down-" + UUID.randomUUID();
            Set<String> served = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = harness.http.send(harness.chat(app, i % 2 == 0, 20),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                served.add(response.headers().firstValue("x-request-id").orElseThrow());
            }

            harness.startDatabase();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> harness.rows(served).size() >= served.size());
            List<String[]> rows = harness.rows(served);
            FaultHarness.figures("database-down-at-start", served, rows);
            assertThat(rows).hasSize(served.size());
            assertThat(harness.get("/q/health/ready").body()).doesNotContain("waiting");
        }
    }
}
