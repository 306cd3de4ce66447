package dev.tollgate.admission.budgets;

import dev.tollgate.admission.AdmissionConfig;
import dev.tollgate.admission.rules.LimitRule;
import dev.tollgate.admission.rules.Period;
import dev.tollgate.admission.rules.RuleStore;
import dev.tollgate.admission.rules.StoredRule;
import dev.tollgate.admission.rules.SubjectType;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quotas and budgets of every rule in their current periods, from the counters every replica pushes (the sum of
 * all replicas' rows; in-flight estimates of a replica silent longer than the in-flight expiry left out, as admission
 * does). A subject named by its rule (an app, a business unit, a cost center) is listed even before it used anything;
 * a default rule lists the apps that used something this period.
 */
@ApplicationScoped
public class BudgetQuery {

    private static final String SUMS = "select rule_id, subject, period, sum(tokens), sum(cost), "
            + "sum(case when updated_at > now() - ? * interval '1 millisecond' then inflight_cost else 0 end) "
            + "from admission_counter where (period = 'hour' and period_start = ?) or (period = 'day' and "
            + "period_start = ?) or (period = 'month' and period_start = ?) group by rule_id, subject, period";

    private final DataSource dataSource;
    private final RuleStore rules;
    private final ZoneId zone;
    private final Duration inflightExpiry;

    public BudgetQuery(DataSource dataSource, RuleStore rules, AdmissionConfig config) {
        this.dataSource = dataSource;
        this.rules = rules;
        this.zone = config.timeZone();
        this.inflightExpiry = config.inflightExpiry();
    }

    private record Key(String ruleId, String subject, Period period) {
    }

    private record Sums(long tokens, BigDecimal cost, BigDecimal inflight) {
        static final Sums NONE = new Sums(0, BigDecimal.ZERO, BigDecimal.ZERO);
    }

    public List<BudgetLine> lines(Instant now) throws SQLException {
        Map<Key, Sums> sums = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SUMS)) {
            query.setLong(1, inflightExpiry.toMillis());
            query.setTimestamp(2, Timestamp.from(Period.HOUR.start(now, zone)));
            query.setTimestamp(3, Timestamp.from(Period.DAY.start(now, zone)));
            query.setTimestamp(4, Timestamp.from(Period.MONTH.start(now, zone)));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    sums.put(new Key(rows.getString(1), rows.getString(2), Period.of(rows.getString(3))),
                            new Sums(rows.getLong(4), rows.getBigDecimal(5), rows.getBigDecimal(6)));
                }
            }
        }
        List<BudgetLine> lines = new ArrayList<>();
        for (StoredRule stored : rules.all()) {
            LimitRule rule = stored.rule();
            for (Period period : rule.periods()) {
                List<String> subjects = new ArrayList<>();
                if (rule.subject().type() != SubjectType.DEFAULT) {
                    subjects.add(rule.subject().id());
                }
                sums.keySet().stream().filter(key -> key.ruleId().equals(rule.id()) && key.period() == period
                        && !subjects.contains(key.subject())).map(Key::subject).sorted().forEach(subjects::add);
                for (String subject : subjects) {
                    Sums sum = sums.getOrDefault(new Key(rule.id(), subject, period), Sums.NONE);
                    Long quota = rule.tokenQuota() == null ? null : rule.tokenQuota().of(period);
                    if (quota != null) {
                        lines.add(line(rule, subject, period, now, "tokens", BigDecimal.valueOf(quota),
                                BigDecimal.valueOf(sum.tokens()), BigDecimal.ZERO));
                    }
                    BigDecimal budget = rule.budget() == null ? null : rule.budget().of(period);
                    if (budget != null) {
                        lines.add(line(rule, subject, period, now, "cost", budget, sum.cost().add(sum.inflight()),
                                sum.inflight()));
                    }
                }
            }
        }
        lines.sort(Comparator.comparing(BudgetLine::ruleId).thenComparing(BudgetLine::subject)
                .thenComparing(line -> Period.of(line.period())).thenComparing(BudgetLine::measure));
        return lines;
    }

    private BudgetLine line(LimitRule rule, String subject, Period period, Instant now, String measure,
                            BigDecimal limit, BigDecimal spent, BigDecimal inFlight) {
        Instant start = period.start(now, zone);
        Instant end = period.next(start, zone);
        long elapsed = Math.max(Duration.between(start, now).toMillis(), 1);
        long length = Duration.between(start, end).toMillis();
        // Forecast at the period-to-date average rate; the first minute of a period says too little to extrapolate.
        BigDecimal forecast = elapsed < 60_000 ? spent
                : spent.multiply(BigDecimal.valueOf(length)).divide(BigDecimal.valueOf(elapsed), 6, RoundingMode.HALF_UP);
        if (measure.equals("tokens")) {
            forecast = forecast.setScale(0, RoundingMode.HALF_UP);
        }
        return new BudgetLine(rule.id(), rule.subject().type().key(), subject, period.key(),
                start.atZone(zone).toOffsetDateTime().toString(), end.atZone(zone).toOffsetDateTime().toString(),
                measure, rule.enforcement().key(), limit, spent, inFlight, limit.subtract(spent).max(BigDecimal.ZERO),
                spent.divide(limit, 4, RoundingMode.HALF_UP), forecast);
    }
}
