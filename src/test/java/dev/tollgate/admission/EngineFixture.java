package dev.tollgate.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.admission.engine.AdmissionEngine;
import dev.tollgate.admission.engine.AppOwners;
import dev.tollgate.admission.engine.RuleSet;
import dev.tollgate.admission.estimate.CostEstimator;
import dev.tollgate.admission.estimate.DemandEstimator;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.LimitRules;
import dev.tollgate.admission.rules.RuleJson;
import dev.tollgate.metering.TokenEstimator;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.support.Requests;
import dev.tollgate.pricing.Price;
import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.PriceRow;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** An engine on a clock the test moves, with rules written as the admin API reads them. */
final class EngineFixture {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** gpt-4o at 2.50 / 10.00 per 1M tokens (global), the only price. */
    static final PriceCatalog CATALOG = new PriceCatalog(1, List.of(new Price(1, new PriceRow("gpt-4o",
            Optional.empty(), DeploymentType.GLOBAL, Optional.empty(), "USD", new BigDecimal("2.50"), Optional.empty(),
            new BigDecimal("10.00"), Instant.parse("2020-01-01T00:00:00Z"), Optional.empty(), "test",
            Optional.empty()))));

    final AtomicLong clock = new AtomicLong(Instant.parse("2026-12-03T10:00:00Z").toEpochMilli());
    final List<Refused> refusals = new ArrayList<>();
    /** The refusals of {@link #refusals} made without a recount. */
    final List<Refused> unrecounted = new ArrayList<>();
    final AdmissionEngine engine;

    EngineFixture(int defaultOutputReserve) {
        this(defaultOutputReserve, 16);
    }

    EngineFixture(int defaultOutputReserve, int maxRecounts) {
        CostEstimator costs = new CostEstimator();
        costs.catalog(CATALOG);
        engine = new AdmissionEngine(ZoneOffset.UTC, clock::get,
                new DemandEstimator(new TokenEstimator(), defaultOutputReserve), costs, new AppOwners(),
                new AdmissionEngine.RefusalListener() {
                    @Override
                    public void refused(Refused refused) {
                        refusals.add(refused);
                    }

                    @Override
                    public void recountSkipped(Refused refused) {
                        unrecounted.add(refused);
                    }
                }, maxRecounts);
    }

    EngineFixture rules(String... json) {
        RuleJson reader = new RuleJson(MAPPER);
        List<LimitRule> rules = Arrays.stream(json).map(body -> {
            try {
                String id = MAPPER.readTree(body).get("id").asText();
                return LimitRules.check(reader.read(id, body));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        engine.rules(new RuleSet(engine.rules().version() + 1, rules));
        return this;
    }

    EngineFixture app(String appId, String businessUnit, String costCenter) {
        Map<String, AppOwners.Charged> apps = new java.util.HashMap<>();
        // keep the apps already registered
        for (String known : registered) {
            apps.put(known, engine.apps().find(known));
        }
        apps.put(appId, new AppOwners.Charged(businessUnit, costCenter));
        registered.add(appId);
        engine.apps().replace(apps);
        return this;
    }

    private final List<String> registered = new ArrayList<>();

    void advance(long millis) {
        clock.addAndGet(millis);
    }

    /** A chat request whose body asks for {@code maxTokens} and has a tiny prompt (about 10 tokens by estimate). */
    static Demand chat(String appId, String deployment, int maxTokens) {
        ObjectNode body = MAPPER.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", "Hi");
        body.put("max_tokens", maxTokens);
        return new Demand(appId, Requests.read(deployment, "chat/completions", body));
    }

    Decision admit(Demand demand) {
        return engine.admit(demand);
    }

    /** The usage record of a request that used these tokens of gpt-4o (global). */
    UsageRecord record(String appId, long input, long output) {
        return new UsageRecord(UUID.randomUUID(), Instant.ofEpochMilli(clock.get()), appId, "tenant", "gpt-4o",
                "gpt-4o-2024-08-06", "b1", null, DeploymentType.GLOBAL, "chat/completions", false, 200, 10, 1,
                new Usage(input, 0, output, 0, input + output, UsageSource.REPORTED), null, null);
    }
}
