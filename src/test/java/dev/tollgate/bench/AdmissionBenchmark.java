package dev.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.admission.Admitted;
import dev.tollgate.admission.Decision;
import dev.tollgate.admission.Demand;
import dev.tollgate.admission.engine.AdmissionEngine;
import dev.tollgate.admission.engine.AppOwners;
import dev.tollgate.admission.engine.RuleSet;
import dev.tollgate.admission.estimate.CostEstimator;
import dev.tollgate.admission.estimate.DemandEstimator;
import dev.tollgate.admission.rules.LimitRules;
import dev.tollgate.admission.rules.RuleJson;
import dev.tollgate.metering.TokenEstimator;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.Requests;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * CPU per request that admission adds on the event loop: admit + settle of a 1.1 KB chat request, with no rules, and
 * with a TPM + RPM + daily quota + monthly budget rule on the app (the budget priced with an in-memory catalog).
 * Single thread, plain loop, no JMH; prints figures, asserts nothing. Run by {@code bench/admission.sh}.
 */
public final class AdmissionBenchmark {

    private static final Logger LOG = Logger.getLogger(AdmissionBenchmark.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        ObjectNode body = MAPPER.createObjectNode();
        body.putArray("messages").addObject().put("role", "user")
                .put("content", "Summarise the following text in three bullet points. ".repeat(20));
        body.put("max_tokens", 200);
        Demand demand = new Demand("bench-app", Requests.read("gpt-4o", "chat/completions", body));
        UsageRecord record = new UsageRecord(UUID.randomUUID(), Instant.now(), "bench-app", "t", "gpt-4o",
                "gpt-4o-2024-08-06", "b", null, DeploymentType.GLOBAL, "chat/completions", false, 200, 5, 1,
                new Usage(230, 0, 180, 0, 410, UsageSource.REPORTED), null, null);

        AdmissionEngine none = engine();
        AdmissionEngine ruled = engine();
        ruled.rules(new RuleSet(1, List.of(LimitRules.check(new RuleJson(MAPPER).read("bench", """
                {"subject":{"type":"app","id":"bench-app"},"tokensPerMinute":2000000000,
                 "requestsPerMinute":2000000000,"tokenQuota":{"day":9000000000000},"budget":{"month":"1000000000"}}""")))));
        ruled.apps().replace(java.util.Map.of("bench-app", new AppOwners.Charged("BU", "CC")));
        for (int warm = 0; warm < 3; warm++) {
            run(none, demand, record, rounds / 4);
            run(ruled, demand, record, rounds / 4);
        }
        double freeNs = run(none, demand, record, rounds);
        double ruledNs = run(ruled, demand, record, rounds);
        LOG.infof("admission: %.2f us per request without rules, %.2f us with a TPM+RPM+quota+budget rule on the app "
                + "(admit + settle, %d requests each)", freeNs / 1000, ruledNs / 1000, rounds);
    }

    private static AdmissionEngine engine() {
        CostEstimator costs = new CostEstimator();
        costs.catalog(new dev.tollgate.pricing.PriceCatalog(1, List.of(new dev.tollgate.pricing.Price(1,
                new dev.tollgate.pricing.PriceRow("gpt-4o", java.util.Optional.empty(), DeploymentType.GLOBAL,
                        java.util.Optional.empty(), "USD", new java.math.BigDecimal("2.50"), java.util.Optional.empty(),
                        new java.math.BigDecimal("10.00"), Instant.parse("2020-01-01T00:00:00Z"),
                        java.util.Optional.empty(), "bench", java.util.Optional.empty())))));
        return new AdmissionEngine(ZoneOffset.UTC, System::currentTimeMillis,
                new DemandEstimator(new TokenEstimator(), 1024), costs, new AppOwners(), refused -> {
                }, 16);
    }

    /** Nanoseconds per admit + settle. */
    private static double run(AdmissionEngine engine, Demand demand, UsageRecord record, int rounds) {
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            Decision decision = engine.admitQuickly(demand);
            if (decision instanceof Admitted admitted) {
                admitted.ticket().settle(record);
            } else {
                throw new IllegalStateException("refused: " + decision);
            }
        }
        return (System.nanoTime() - start) / (double) rounds;
    }
}
