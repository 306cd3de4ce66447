package dev.tollgate.it;

import dev.tollgate.support.TestTokens;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway processes on one PostgreSQL share one tokens-per-minute limit (issue 10): each is offered twice the
 * limit's rate for 30 s, so without the exchange each would admit the whole limit within 20 s; together they admit at most the
 * limit plus the documented overshoot bound, (R - 1) x r x 2I (docs/admission.md), with r the tokens a replica admitted
 * in its busiest second. Logs an {@code ADMISSION-REPLICAS} line with the figures.
 */
class AdmissionReplicasIT {

    private static final Logger LOG = Logger.getLogger(AdmissionReplicasIT.class);
    private static final long LIMIT = 6_000;
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final int REQUESTS_PER_SECOND = 8; // per replica, ~40 tokens each: ~3x the limit's 100 tokens/s
    private static final int SECONDS = 30;

    @Test
    void twoReplicasAdmitAtMostTheLimitPlusTheBound() throws Exception {
        try (FaultHarness harness = new FaultHarness("admission-replicas", "0ms")) {
            harness.startDatabase();
            Map<String, String> settings = Map.of("tollgate.admission.exchange-interval", "1S");
            List<Integer> replicas = List.of(harness.startReplica("a", settings), harness.startReplica("b", settings));
            String app = "shared-" + UUID.randomUUID();
            HttpRequest rule = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replicas.get(0)
                            + "/api/limits/shared-tpm"))
                    .header("Authorization", "Bearer " + TestTokens.withRoles("ops", "tollgate.admin"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"subject\":{\"type\":\"app\",\"id\":\"" + app
                            + "\"},\"tokensPerMinute\":" + LIMIT + "}")).build();
            assertThat(harness.http.send(rule, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);

            // Each replica enforces the rule once its answers carry the app's remaining tokens; what it served before
            // that was not admitted under the rule, and is left out of the count.
            Map<String, Integer> replicaOf = new ConcurrentHashMap<>();
            Set<String> beforeTheRule = ConcurrentHashMap.newKeySet();
            for (int port : replicas) {
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    HttpResponse<String> probe = harness.http.send(harness.chat(port, app, false, 30),
                            HttpResponse.BodyHandlers.ofString());
                    String id = probe.headers().firstValue("x-request-id").orElseThrow();
                    replicaOf.put(id, port);
                    boolean enforced = probe.headers().firstValue("x-ratelimit-remaining-tokens").isPresent();
                    if (!enforced) {
                        beforeTheRule.add(id);
                    }
                    return enforced;
                });
            }

            AtomicInteger refused = new AtomicInteger();
            List<CompletableFuture<?>> sent = new ArrayList<>();
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            try {
                for (int port : replicas) {
                    pace.scheduleAtFixedRate(() -> sent.add(harness.http.sendAsync(harness.chat(port, app, false, 30),
                                    HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
                                replicaOf.put(response.headers().firstValue("x-request-id").orElseThrow(), port);
                                if (response.statusCode() == 429) {
                                    refused.incrementAndGet();
                                }
                            })), 0, 1000 / REQUESTS_PER_SECOND, TimeUnit.MILLISECONDS);
                }
                TimeUnit.SECONDS.sleep(SECONDS);
            } finally {
                pace.shutdownNow();
                pace.awaitTermination(5, TimeUnit.SECONDS);
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            Set<String> ids = replicaOf.keySet();
            await().atMost(Duration.ofSeconds(30)).until(() -> served(harness, app).size() + refusedRecords(harness, app)
                    >= ids.size());
            Map<String, long[]> served = served(harness, app);
            served.keySet().removeAll(beforeTheRule);
            long admitted = served.values().stream().mapToLong(row -> row[0]).sum();
            long busiestSecond = 0;
            for (int port : replicas) {
                Map<Long, Long> perSecond = new HashMap<>();
                served.forEach((id, row) -> {
                    if (replicaOf.getOrDefault(id, -1) == port) {
                        perSecond.merge(row[1], row[0], Long::sum);
                    }
                });
                busiestSecond = Math.max(busiestSecond, perSecond.values().stream().mapToLong(v -> v).max().orElse(0));
            }
            long bound = (replicas.size() - 1) * busiestSecond * 2 * INTERVAL.toSeconds();
            LOG.infof("ADMISSION-REPLICAS replicas=%d limit=%d offered=%d req admitted=%d tokens refused=%d "
                            + "busiest-second=%d bound=%d", replicas.size(), LIMIT, ids.size(), admitted, refused.get(),
                    busiestSecond, bound);

            assertThat(refused.get()).as("the shared limit binds").isPositive();
            assertThat(admitted).as("admitted tokens within limit + (R-1) r 2I").isLessThanOrEqualTo(LIMIT + bound);
            // Without the exchange each replica alone would have admitted the whole limit.
            assertThat(admitted).isLessThan(2 * LIMIT);
        }
    }

    /** Per served record of the app: its total tokens and the second it was admitted in. */
    private static Map<String, long[]> served(FaultHarness harness, String app) throws Exception {
        Map<String, long[]> rows = new HashMap<>();
        try (Connection connection = harness.connect();
             PreparedStatement query = connection.prepareStatement("select id, total_tokens, "
                     + "floor(extract(epoch from occurred_at))::bigint from usage_record where app_id = ? "
                     + "and status = 200")) {
            query.setString(1, app);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getString(1), new long[] {result.getLong(2), result.getLong(3)});
                }
            }
        }
        return rows;
    }

    private static long refusedRecords(FaultHarness harness, String app) throws Exception {
        try (Connection connection = harness.connect();
             PreparedStatement query = connection.prepareStatement(
                     "select count(*) from usage_record where app_id = ? and limited_by = 'shared-tpm'")) {
            query.setString(1, app);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
