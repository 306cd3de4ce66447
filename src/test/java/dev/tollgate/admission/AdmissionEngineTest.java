package dev.tollgate.admission;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.support.Requests;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's decisions, on a clock the test moves; one replica, so the exchange is not involved. */
class AdmissionEngineTest {

    private static final String TPM_1000 = """
            {"id":"tpm","subject":{"type":"app","id":"app-a"},"tokensPerMinute":1000}""";

    @Test
    void aRequestNoRuleAppliesToIsAdmittedWithNoRemainingCounts() {
        EngineFixture fixture = new EngineFixture(100).rules(TPM_1000);
        Decision decision = fixture.admit(EngineFixture.chat("app-b", "gpt-4o", 50));
        assertThat(decision).isInstanceOf(Admitted.class);
        assertThat(((Admitted) decision).ticket().remainingTokens()).isEmpty();
    }

    @Test
    void anAppOverItsTpmGets429UntilEnoughOfTheMinuteFreesUpWhileAnotherAppGoesOn() {
        EngineFixture fixture = new EngineFixture(100).rules(TPM_1000);
        // 8 prompt tokens + 392 reserved = 400 per request: two fit into 1000, the third does not.
        Admitted first = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        assertThat(first.ticket().remainingTokens()).hasValue(600);
        fixture.advance(10_000);
        assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392))).isInstanceOf(Admitted.class);
        fixture.advance(5_300);
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("429");
        assertThat(refused.ruleId()).isEqualTo("tpm");
        // The first request's 400 tokens leave the window 60 s after its second began: 44.7 s from now.
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(44_700));
        assertThat(fixture.admit(EngineFixture.chat("app-b", "gpt-4o", 392))).isInstanceOf(Admitted.class);

        fixture.advance(refused.retryAfter().toMillis() - 1);
        assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392))).isInstanceOf(Refused.class);
        fixture.advance(1);
        assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392))).isInstanceOf(Admitted.class);
        assertThat(fixture.refusals).extracting(Refused::ruleId).containsOnly("tpm");
    }

    @Test
    void settlingReplacesTheEstimateWithTheRealUsage() {
        EngineFixture fixture = new EngineFixture(100).rules(TPM_1000);
        Admitted big = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 892)); // reserves 900
        assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 192))).isInstanceOf(Refused.class);
        big.ticket().settle(fixture.record("app-a", 8, 42)); // used 50
        big.ticket().settle(fixture.record("app-a", 8, 900)); // a second settle changes nothing
        Admitted next = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 192));
        assertThat(next.ticket().remainingTokens()).hasValue(1000 - 50 - 200);
    }

    @Test
    void requestsPerMinuteCountRequestsAndReportWhatIsLeft() {
        EngineFixture fixture = new EngineFixture(100).rules("""
                {"id":"rpm","subject":{"type":"app","id":"app-a"},"requestsPerMinute":2}""");
        Admitted first = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 10));
        assertThat(first.ticket().remainingRequests()).hasValue(1);
        assertThat(first.ticket().remainingTokens()).isEmpty();
        fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 10));
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 10));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.message()).contains("2 requests per minute");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aRequestLargerThanTheWholeMinuteIsRefusedForGood() {
        EngineFixture fixture = new EngineFixture(100).rules(TPM_1000);
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 5000));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("RequestExceedsRateLimit");
        assertThat(refused.retryAfter()).isNull();
    }

    @Test
    void aBusinessUnitBudgetStopsAllItsAppsAndOnlyThem() {
        // gpt-4o: 2.50 in, 10.00 out per 1M. A request of 8 in + 992 out reserves 0.00994; settles at 1000 output.
        EngineFixture fixture = new EngineFixture(100)
                .app("retail-1", "Retail", "CC-1").app("retail-2", "Retail", "CC-2").app("finance-1", "Finance", "CC-3")
                .rules("""
                        {"id":"retail-budget","subject":{"type":"businessUnit","id":"Retail"},
                         "budget":{"month":"0.05"}}""");
        for (int i = 0; i < 5; i++) {
            Admitted admitted = (Admitted) fixture.admit(EngineFixture.chat(i % 2 == 0 ? "retail-1" : "retail-2",
                    "gpt-4o", 992));
            admitted.ticket().settle(fixture.record("retail-1", 0, 1000)); // 0.01 each
        }
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("retail-2", "gpt-4o", 992));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("BudgetExceeded");
        assertThat(refused.message()).contains("Business unit 'Retail'", "0.05", "2027-01-01T00:00:00Z");
        assertThat(refused.retryAfter()).isEqualTo(Duration.between(java.time.Instant.ofEpochMilli(fixture.clock.get()),
                java.time.Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(fixture.admit(EngineFixture.chat("retail-1", "gpt-4o", 992))).isInstanceOf(Refused.class);
        assertThat(fixture.admit(EngineFixture.chat("finance-1", "gpt-4o", 992))).isInstanceOf(Admitted.class);
        assertThat(fixture.engine.tally("retail-budget", "Retail").periodSpent(
                dev.tollgate.admission.rules.Period.MONTH, fixture.clock.get())).isEqualByComparingTo("0.05");
    }

    @Test
    void requestsInFlightCountTowardsABudgetAtTheirEstimate() {
        EngineFixture fixture = new EngineFixture(100).app("retail-1", "Retail", "CC-1").rules("""
                {"id":"b","subject":{"type":"app","id":"retail-1"},"budget":{"day":"0.02","month":"1"}}""");
        // Each reserves 8 × 2.5/1M + 992 × 10/1M = 0.00994: two fit into 0.02, a third does not.
        assertThat(fixture.admit(EngineFixture.chat("retail-1", "gpt-4o", 992))).isInstanceOf(Admitted.class);
        assertThat(fixture.admit(EngineFixture.chat("retail-1", "gpt-4o", 992))).isInstanceOf(Admitted.class);
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("retail-1", "gpt-4o", 992));
        assertThat(refused.code()).isEqualTo("BudgetExceeded");
        assertThat(refused.message()).contains("this day", "2026-12-04T00:00:00Z");
    }

    @Test
    void aSoftBudgetNeverRefuses() {
        EngineFixture fixture = new EngineFixture(100).rules("""
                {"id":"soft","subject":{"type":"app","id":"app-a"},"budget":{"month":"0.01"},"enforcement":"soft"}""");
        for (int i = 0; i < 5; i++) {
            Admitted admitted = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 992));
            admitted.ticket().settle(fixture.record("app-a", 0, 1000));
        }
        assertThat(fixture.refusals).isEmpty();
        assertThat(fixture.engine.tally("soft", "app-a").periodSpent(dev.tollgate.admission.rules.Period.MONTH,
                fixture.clock.get())).isEqualByComparingTo(new BigDecimal("0.05"));
    }

    @Test
    void aHardQuotaIsRefusedWith403AndTheResetTime() {
        EngineFixture fixture = new EngineFixture(100).rules("""
                {"id":"q","subject":{"type":"app","id":"app-a"},"tokenQuota":{"hour":500,"day":1000}}""");
        Admitted admitted = (Admitted) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        admitted.ticket().settle(fixture.record("app-a", 8, 392));
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("TokenQuotaExceeded");
        assertThat(refused.message()).contains("400 of its 500 tokens this hour", "2026-12-03T11:00:00Z");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofHours(1));
        fixture.advance(Duration.ofHours(1).toMillis());
        assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392))).isInstanceOf(Admitted.class);
        fixture.advance(Duration.ofHours(1).toMillis());
        Refused daily = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        assertThat(daily.message()).contains("this day");
    }

    @Test
    void aQuotaRefusalNamesTheQuotaEvenWhenTheRateIsAlsoExceeded() {
        EngineFixture fixture = new EngineFixture(100).rules("""
                {"id":"both","subject":{"type":"app","id":"app-a"},"tokensPerMinute":500,"tokenQuota":{"day":500}}""");
        fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 392));
        assertThat(refused.code()).isEqualTo("TokenQuotaExceeded");
    }

    @Test
    void accessIsLimitedToTheAllowedDeploymentsAndModelFamilies() {
        EngineFixture fixture = new EngineFixture(100).app("team-a", "R&D", "CC-9").rules("""
                {"id":"mini-only","subject":{"type":"businessUnit","id":"R&D"},"allowedModelFamilies":["gpt-4o-mini"]}""");
        Refused refused = (Refused) fixture.admit(EngineFixture.chat("team-a", "gpt-4o", 10));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("DeploymentNotAllowed");
        assertThat(fixture.admit(EngineFixture.chat("team-a", "gpt-4o-mini", 10))).isInstanceOf(Admitted.class);
        assertThat(fixture.admit(EngineFixture.chat("other", "gpt-4o", 10))).isInstanceOf(Admitted.class);
    }

    @Test
    void theDefaultAppliesPerAppToRequestsNoRuleOfTheAppCovers() {
        EngineFixture fixture = new EngineFixture(100).rules("""
                {"id":"default","subject":{"type":"default"},"requestsPerMinute":1}""", """
                {"id":"own-4o","subject":{"type":"app","id":"app-a"},"modelFamily":"gpt-4o","requestsPerMinute":3}""");
        // Unregistered apps each get the default's one request.
        assertThat(fixture.admit(EngineFixture.chat("x", "gpt-4o", 10))).isInstanceOf(Admitted.class);
        assertThat(fixture.admit(EngineFixture.chat("y", "gpt-4o", 10))).isInstanceOf(Admitted.class);
        assertThat(((Refused) fixture.admit(EngineFixture.chat("x", "gpt-4o", 10))).ruleId()).isEqualTo("default");
        // app-a's own rule covers gpt-4o: three requests; o3 is covered by no rule of its own: the default's one.
        for (int i = 0; i < 3; i++) {
            assertThat(fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 10))).isInstanceOf(Admitted.class);
        }
        assertThat(((Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 10))).ruleId()).isEqualTo("own-4o");
        assertThat(fixture.admit(EngineFixture.chat("app-a", "o3", 10))).isInstanceOf(Admitted.class);
        assertThat(((Refused) fixture.admit(EngineFixture.chat("app-a", "o3", 10))).ruleId()).isEqualTo("default");
    }

    @Test
    void aRefusalByOneRuleTakesBackWhatTheOthersReserved() {
        EngineFixture fixture = new EngineFixture(100).app("app-a", "Retail", "CC-1").rules("""
                {"id":"app","subject":{"type":"app","id":"app-a"},"tokensPerMinute":10000}""", """
                {"id":"bu","subject":{"type":"businessUnit","id":"Retail"},"requestsPerMinute":1}""");
        fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 92));
        assertThat(((Refused) fixture.admit(EngineFixture.chat("app-a", "gpt-4o", 92))).ruleId()).isEqualTo("bu");
        assertThat(fixture.engine.tally("app", "app-a").minute(fixture.clock.get())).containsExactly(100, 1);
    }

    @Test
    void aQuickEstimateTooHighToFitIsCheckedWithTheTokenizerBeforeRefusing() {
        EngineFixture fixture = new EngineFixture(0).rules("""
                {"id":"tpm","subject":{"type":"app","id":"app-a"},"tokensPerMinute":1000}""");
        // 3,000 bytes of one repeated word: bytes/4 says 750+, the tokenizer far fewer.
        String text = "aaaa".repeat(750);
        com.fasterxml.jackson.databind.node.ObjectNode body = EngineFixture.MAPPER.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        body.put("max_tokens", 300);
        Demand demand = new Demand("app-a", Requests.read("gpt-4o", "chat/completions", body));
        // On the event loop: not refused, but handed over for counting; nothing reserved meanwhile.
        Recount recount = (Recount) fixture.engine.admitQuickly(demand);
        assertThat(recount.quick().error()).isEqualTo(ErrorCode.REQUEST_EXCEEDS_RATE_LIMIT);
        assertThat(fixture.engine.tally("tpm", "app-a").minute(fixture.clock.get())).containsExactly(0, 0);
        assertThat(fixture.refusals).isEmpty();
        // Counted: it fits.
        Decision decision = fixture.engine.recount(demand);
        assertThat(decision).isInstanceOf(Admitted.class);
        assertThat(((Admitted) decision).ticket().remainingTokens().getAsLong()).isGreaterThan(0);
    }

    @Test
    void pastMaxRecountsTheQuickEstimatesRefusalStandsUntilACountEnds() {
        EngineFixture fixture = new EngineFixture(0, 1).rules("""
                {"id":"tpm","subject":{"type":"app","id":"app-a"},"tokensPerMinute":1000}""");
        Demand first = EngineFixture.chat("app-a", "gpt-4o", 1200);
        Demand second = EngineFixture.chat("app-a", "gpt-4o", 1100);
        assertThat(fixture.engine.admitQuickly(first)).isInstanceOf(Recount.class);
        // One prompt is being counted: the next refusal is the quick estimate's, reported as such.
        Refused quick = (Refused) fixture.engine.admitQuickly(second);
        assertThat(fixture.unrecounted).containsExactly(quick);
        // The count ends: the next one is counted again.
        fixture.engine.recount(first);
        assertThat(fixture.engine.admitQuickly(second)).isInstanceOf(Recount.class);
        assertThat(fixture.refusals).hasSize(2);
    }

    @Test
    void aRecountThatStillDoesNotFitRefusesAndIsReportedOnce() {
        EngineFixture fixture = new EngineFixture(0).rules("""
                {"id":"tpm","subject":{"type":"app","id":"app-a"},"tokensPerMinute":1000}""");
        Demand demand = EngineFixture.chat("app-a", "gpt-4o", 1200);
        assertThat(fixture.engine.admitQuickly(demand)).isInstanceOf(Recount.class);
        Refused refused = (Refused) fixture.engine.recount(demand);
        assertThat(refused.error()).isEqualTo(ErrorCode.REQUEST_EXCEEDS_RATE_LIMIT);
        assertThat(fixture.refusals).containsExactly(refused);
    }
}
