package dev.tollgate.admission.exchange;

import dev.tollgate.admission.alerts.ThresholdAlerts;
import dev.tollgate.admission.engine.AdmissionEngine;
import dev.tollgate.admission.engine.AppOwners;
import dev.tollgate.admission.engine.RateWindow;
import dev.tollgate.admission.engine.RuleSet;
import dev.tollgate.admission.engine.Tally;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.Period;
import dev.tollgate.admission.rules.RuleStore;
import dev.tollgate.admission.rules.StoredRule;
import dev.tollgate.pricing.PriceCatalogCache;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One replica's side of the shared counters, run on a worker thread every exchange interval: follows the rules, the
 * app registry and the price catalog; pushes this replica's totals (each replica overwrites its own rows, so a push
 * that failed is simply repeated with newer numbers); reads the sum of every other replica's rows for the current
 * minute and periods into the tallies; claims and fires the soft-threshold alerts now reached. A round that fails
 * leaves the tallies as they were: admission goes on with the last view plus its own counts.
 */
public final class CounterExchange {

    private static final String PUSH = "insert into admission_counter (rule_id, subject, period, period_start, "
            + "replica, requests, tokens, cost, inflight_cost, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, now()) "
            + "on conflict (rule_id, subject, period, period_start, replica) do update set requests = "
            + "excluded.requests, tokens = excluded.tokens, cost = excluded.cost, inflight_cost = "
            + "excluded.inflight_cost, updated_at = now()";
    private static final String PULL = "select rule_id, subject, period, period_start, sum(requests), sum(tokens), "
            + "sum(cost), sum(case when updated_at > now() - ? * interval '1 millisecond' then inflight_cost else 0 "
            + "end) from admission_counter where replica <> ? and ((period = 'second' and period_start > ?) "
            + "or (period = 'hour' and period_start = ?) or (period = 'day' and period_start = ?) "
            + "or (period = 'month' and period_start = ?)) group by rule_id, subject, period, period_start";
    private static final String CLAIM = "insert into admission_alert (rule_id, subject, period, period_start, measure, "
            + "threshold, replica) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing";
    /** Rows nobody reads any more; a month's rows stay (they are the budgets' history). */
    private static final String CLEAN = "delete from admission_counter where (period = 'second' and period_start < ?) "
            + "or (period = 'hour' and period_start < ?) or (period = 'day' and period_start < ?)";
    private static final long CLEAN_EVERY_MILLIS = 60_000;

    private final DataSource dataSource;
    private final AdmissionEngine engine;
    private final RuleStore rules;
    private final PriceCatalogCache prices;
    private final ThresholdAlerts alerts;
    private final String replica;
    private final Duration inflightExpiry;
    private String appsFingerprint = "";
    private long lastClean;

    public CounterExchange(DataSource dataSource, AdmissionEngine engine, RuleStore rules, PriceCatalogCache prices,
                           ThresholdAlerts alerts, String replica, Duration inflightExpiry) {
        this.dataSource = dataSource;
        this.engine = engine;
        this.rules = rules;
        this.prices = prices;
        this.alerts = alerts;
        this.replica = replica;
        this.inflightExpiry = inflightExpiry;
    }

    public String replica() {
        return replica;
    }

    /** One round. Throws if the database failed; what was not pushed is pushed whole next time. */
    public void exchange() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            follow(connection);
            long now = engine.now();
            push(connection, now);
            pull(connection, now);
            alert(connection, now);
            if (now - lastClean > CLEAN_EVERY_MILLIS) {
                clean(connection, now);
                lastClean = now;
            }
        }
    }

    /** Rules, apps and prices as committed now. */
    void follow(Connection connection) throws SQLException {
        long version = RuleStore.version(connection);
        if (version != engine.rules().version() || engine.rules() == RuleSet.EMPTY) {
            engine.rules(new RuleSet(version, rules.all(connection).stream().map(StoredRule::rule).toList()));
        }
        String fingerprint;
        try (PreparedStatement query = connection.prepareStatement(
                "select count(*) || '/' || coalesce(max(updated_at)::text, '') from app");
             ResultSet row = query.executeQuery()) {
            row.next();
            fingerprint = row.getString(1);
        }
        if (!fingerprint.equals(appsFingerprint)) {
            Map<String, AppOwners.Charged> apps = new HashMap<>();
            try (PreparedStatement query = connection.prepareStatement(
                    "select app_id, business_unit, cost_center from app");
                 ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    apps.put(rows.getString(1), new AppOwners.Charged(rows.getString(2), rows.getString(3)));
                }
            }
            engine.apps().replace(apps);
            appsFingerprint = fingerprint;
        }
        engine.costs().catalog(prices.current(connection));
    }

    private void push(Connection connection, long now) throws SQLException {
        List<Tally> tallies = engine.tallies();
        try (PreparedStatement upsert = connection.prepareStatement(PUSH)) {
            int rows = 0;
            for (Tally tally : tallies) {
                for (Tally.Row row : tally.drain(now)) {
                    upsert.setString(1, tally.ruleId());
                    upsert.setString(2, tally.subject());
                    upsert.setString(3, row.period());
                    upsert.setTimestamp(4, new Timestamp(row.start()));
                    upsert.setString(5, replica);
                    upsert.setLong(6, row.requests());
                    upsert.setLong(7, row.tokens());
                    upsert.setBigDecimal(8, row.cost());
                    upsert.setBigDecimal(9, row.inflightCost());
                    upsert.addBatch();
                    rows++;
                }
            }
            if (rows > 0) {
                upsert.executeBatch();
            }
        } catch (SQLException | RuntimeException e) {
            tallies.forEach(Tally::pushFailed);
            throw e;
        }
    }

    private record Key(String ruleId, String subject) {
    }

    /** Everyone else's sums; tallies the query names nothing for learn that nobody else counts there. */
    private void pull(Connection connection, long now) throws SQLException {
        RuleSet current = engine.rules();
        long second = Math.floorDiv(now, 1000);
        Instant at = Instant.ofEpochMilli(now);
        Map<Key, List<long[]>> slots = new HashMap<>();
        Map<Key, Set<Period>> periodsSeen = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(PULL)) {
            query.setLong(1, inflightExpiry.toMillis());
            query.setString(2, replica);
            query.setTimestamp(3, new Timestamp((second - 60) * 1000));
            query.setTimestamp(4, Timestamp.from(Period.HOUR.start(at, engine.zone())));
            query.setTimestamp(5, Timestamp.from(Period.DAY.start(at, engine.zone())));
            query.setTimestamp(6, Timestamp.from(Period.MONTH.start(at, engine.zone())));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    LimitRule rule = current.rule(rows.getString(1));
                    if (rule == null) {
                        continue;
                    }
                    Key key = new Key(rule.id(), rows.getString(2));
                    String period = rows.getString(3);
                    long start = rows.getTimestamp(4).getTime();
                    if (period.equals("second")) {
                        slots.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(new long[]{start / 1000, rows.getLong(6), rows.getLong(5)});
                    } else {
                        Period kind = Period.of(period);
                        engine.tally(key.ruleId(), key.subject()).othersPeriod(kind, start, rows.getLong(6),
                                rows.getLong(5), rows.getBigDecimal(7), rows.getBigDecimal(8), now);
                        periodsSeen.computeIfAbsent(key, k -> EnumSet.noneOf(Period.class)).add(kind);
                    }
                }
            }
        }
        for (Map.Entry<Key, List<long[]>> entry : slots.entrySet()) {
            engine.tally(entry.getKey().ruleId(), entry.getKey().subject()).othersRate(others(entry.getValue()));
        }
        for (Tally tally : engine.tallies()) {
            Key key = new Key(tally.ruleId(), tally.subject());
            if (!slots.containsKey(key)) {
                tally.othersRate(RateWindow.Others.NONE);
            }
            tally.clearOthers(periodsSeen.getOrDefault(key, Set.of()));
        }
    }

    private static RateWindow.Others others(List<long[]> slots) {
        long[] seconds = new long[slots.size()];
        long[] tokens = new long[slots.size()];
        long[] requests = new long[slots.size()];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = slots.get(i)[0];
            tokens[i] = slots.get(i)[1];
            requests[i] = slots.get(i)[2];
        }
        return new RateWindow.Others(seconds, tokens, requests);
    }

    /** Thresholds reached: the replica whose claim is inserted fires the alert; the others only note it. */
    private void alert(Connection connection, long now) throws SQLException {
        RuleSet current = engine.rules();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            for (Tally tally : engine.tallies()) {
                LimitRule rule = current.rule(tally.ruleId());
                if (rule == null || rule.periods().isEmpty()) {
                    continue;
                }
                for (Tally.Crossing crossing : tally.crossings(rule, now)) {
                    claim.setString(1, crossing.ruleId());
                    claim.setString(2, crossing.subject());
                    claim.setString(3, crossing.period().key());
                    claim.setTimestamp(4, new Timestamp(crossing.periodStart()));
                    claim.setString(5, crossing.measure());
                    claim.setInt(6, crossing.threshold());
                    claim.setString(7, replica);
                    boolean ours = claim.executeUpdate() > 0;
                    tally.alerted(crossing);
                    if (ours) {
                        alerts.fire(crossing, rule);
                    }
                }
            }
        }
    }

    private void clean(Connection connection, long now) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(CLEAN)) {
            delete.setTimestamp(1, new Timestamp(now - Duration.ofMinutes(5).toMillis()));
            delete.setTimestamp(2, new Timestamp(now - Duration.ofDays(2).toMillis()));
            delete.setTimestamp(3, new Timestamp(now - Duration.ofDays(62).toMillis()));
            delete.executeUpdate();
        }
        engine.forgetIdle();
        engine.costs().refresh();
    }
}
