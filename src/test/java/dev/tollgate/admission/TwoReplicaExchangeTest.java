package dev.tollgate.admission;

import dev.tollgate.admission.alerts.AdmissionMetrics;
import dev.tollgate.admission.alerts.ThresholdAlerts;
import dev.tollgate.admission.exchange.CounterExchange;
import dev.tollgate.admission.rules.LimitRules;
import dev.tollgate.admission.rules.Period;
import dev.tollgate.admission.rules.RuleJson;
import dev.tollgate.admission.rules.RuleStore;
import dev.tollgate.pricing.PriceCatalogCache;
import dev.tollgate.support.ScratchDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two replicas (two engines with their own exchanges and replica ids) on one real PostgreSQL, sharing one limit, on a
 * simulated clock: the exchange runs every second of simulated time, as {@code tollgate.admission.exchange-interval}
 * does by default.
 */
class TwoReplicaExchangeTest {

    private static final Logger LOG = Logger.getLogger(TwoReplicaExchangeTest.class);
    private static final long LIMIT = 60_000;
    private static final long INTERVAL_MS = 1000;
    /** Each replica is offered one request of 100 tokens every 10 ms: 10,000 tokens/s, ten times the limit's rate. */
    private static final long STEP_MS = 10;
    private static final long REQUEST_TOKENS = 100;

    private final ScratchDatabase database = new ScratchDatabase("admission_exchange");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    private final class Replica {
        final EngineFixture fixture;
        final CounterExchange exchange;

        Replica(String id, EngineFixture shared, DataSource dataSource) {
            this.fixture = shared;
            this.exchange = new CounterExchange(dataSource, shared.engine,
                    new RuleStore(dataSource, EngineFixture.MAPPER), new PriceCatalogCache(),
                    new ThresholdAlerts(new AdmissionMetrics(new SimpleMeterRegistry()), Optional.empty(),
                            java.time.ZoneOffset.UTC), id, java.time.Duration.ofMinutes(15));
        }
    }

    private void store(String id, String json) throws SQLException {
        new RuleStore(database.dataSource(), EngineFixture.MAPPER)
                .put(LimitRules.check(new RuleJson(EngineFixture.MAPPER).read(id, json)), true);
    }

    @Test
    void theCombinedAdmittedTokensOfTwoReplicasStayWithinTheDocumentedBound() throws SQLException {
        store("shared", """
                {"subject":{"type":"app","id":"shared-app"},"tokensPerMinute":60000}""");
        EngineFixture a = new EngineFixture(100);
        EngineFixture b = new EngineFixture(100);
        b.clock.set(a.clock.get());
        Replica replicaA = new Replica("replica-a", a, database.dataSource());
        Replica replicaB = new Replica("replica-b", b, database.dataSource());
        replicaA.exchange.exchange();
        replicaB.exchange.exchange();

        int seconds = 180;
        long[] admittedPerSecond = new long[seconds];
        for (long t = 0; t < seconds * 1000L; t += STEP_MS) {
            for (Replica replica : new Replica[]{replicaA, replicaB}) {
                Decision decision = replica.fixture.admit(EngineFixture.chat("shared-app", "gpt-4o",
                        (int) REQUEST_TOKENS - 8));
                if (decision instanceof Admitted admitted) {
                    admittedPerSecond[(int) (t / 1000)] += REQUEST_TOKENS;
                    admitted.ticket().settle(replica.fixture.record("shared-app", 8, REQUEST_TOKENS - 8));
                }
            }
            a.advance(STEP_MS);
            b.advance(STEP_MS);
            if ((t + STEP_MS) % INTERVAL_MS == 0) {
                replicaA.exchange.exchange();
                replicaB.exchange.exchange();
            }
        }
        // The bound (docs/admission.md): (replicas - 1) × each replica's admitted rate × 2 × interval.
        long bound = (2 - 1) * (REQUEST_TOKENS * 1000 / STEP_MS) * 2 * INTERVAL_MS / 1000;
        long worst = 0;
        long total = 0;
        for (int end = 59; end < seconds; end++) {
            long window = 0;
            for (int s = end - 59; s <= end; s++) {
                window += admittedPerSecond[s];
            }
            worst = Math.max(worst, window);
        }
        for (long second : admittedPerSecond) {
            total += second;
        }
        LOG.infof("Two replicas, limit %d TPM, offered %d tokens/s each, exchange every %d ms: worst rolling minute "
                        + "%d tokens (overshoot %d, bound %d); %d tokens admitted in %d s", LIMIT,
                REQUEST_TOKENS * 1000 / STEP_MS, INTERVAL_MS, worst, worst - LIMIT, bound, total, seconds);
        assertThat(worst).isGreaterThanOrEqualTo(LIMIT).isLessThanOrEqualTo(LIMIT + bound);
        // Over three minutes the pair admitted about three minutes' worth of the limit, not twice that.
        assertThat(total).isLessThanOrEqualTo(3 * LIMIT + 3 * bound);
    }

    @Test
    void aQuotaSpentOnOneReplicaRefusesOnTheOtherAndAReplicaCutOffKeepsItsLastView() throws SQLException {
        store("day-quota", """
                {"subject":{"type":"app","id":"quota-app"},"tokenQuota":{"day":1000}}""");
        EngineFixture a = new EngineFixture(100);
        EngineFixture b = new EngineFixture(100);
        b.clock.set(a.clock.get());
        Replica replicaA = new Replica("replica-a", a, database.dataSource());
        Replica replicaB = new Replica("replica-b", b, database.dataSource());
        replicaA.exchange.exchange();
        replicaB.exchange.exchange();
        for (int i = 0; i < 9; i++) {
            Admitted admitted = (Admitted) a.admit(EngineFixture.chat("quota-app", "gpt-4o", 92));
            admitted.ticket().settle(a.record("quota-app", 8, 92));
        }
        replicaA.exchange.exchange();
        replicaB.exchange.exchange();
        assertThat(b.engine.tally("day-quota", "quota-app").periodTokens(Period.DAY, b.clock.get())).isEqualTo(900);
        assertThat(b.admit(EngineFixture.chat("quota-app", "gpt-4o", 92))).isInstanceOf(Admitted.class);
        Refused refused = (Refused) b.admit(EngineFixture.chat("quota-app", "gpt-4o", 92));
        assertThat(refused.code()).isEqualTo("TokenQuotaExceeded");

        // Replica B loses the database: it keeps refusing from its last view plus its own counts.
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setUrl("jdbc:postgresql://127.0.0.1:9/none?connectTimeout=1");
        Replica cutOff = new Replica("replica-b", b, unreachable);
        assertThatThrownBy(cutOff.exchange::exchange).isInstanceOf(SQLException.class);
        assertThat(b.admit(EngineFixture.chat("quota-app", "gpt-4o", 92))).isInstanceOf(Refused.class);
    }
}
