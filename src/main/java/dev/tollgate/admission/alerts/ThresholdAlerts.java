package dev.tollgate.admission.alerts;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.admission.engine.Tally;
import dev.tollgate.admission.rules.LimitRule;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * What happens when a quota or budget reaches a soft threshold (once per threshold and period, across replicas: the
 * exchange claims it in {@code admission_alert} first): a log line at WARN, the {@code tollgate.admission.alerts}
 * counter, and the webhook if one is configured.
 */
public final class ThresholdAlerts {

    private static final Logger LOG = Logger.getLogger(ThresholdAlerts.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final AdmissionMetrics metrics;
    private final Optional<AlertWebhook> webhook;
    private final ZoneId zone;

    public ThresholdAlerts(AdmissionMetrics metrics, Optional<AlertWebhook> webhook, ZoneId zone) {
        this.metrics = metrics;
        this.webhook = webhook;
        this.zone = zone;
    }

    public void fire(Tally.Crossing crossing, LimitRule rule) {
        String share = crossing.limit().signum() == 0 ? "-" : crossing.used().multiply(BigDecimal.valueOf(100))
                .divide(crossing.limit(), 1, RoundingMode.HALF_UP).toPlainString();
        String periodStart = Instant.ofEpochMilli(crossing.periodStart()).atZone(zone).toOffsetDateTime().toString();
        LOG.warnf("Admission alert: rule %s, %s %s: the %s %s %s (%s) reached its %d %% threshold: %s %% used, "
                        + "%s of %s", rule.id(), rule.subject().type().key(), crossing.subject(),
                rule.enforcement().key(), crossing.period().key(),
                crossing.measure().equals("cost") ? "budget" : "quota", periodStart, crossing.threshold(), share,
                plain(crossing.used()), plain(crossing.limit()));
        metrics.alerted(rule.id(), crossing.measure(), crossing.threshold());
        webhook.ifPresent(hook -> hook.send(deliveryId(crossing), body(crossing, rule, periodStart, share)));
    }

    private static String plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    static String deliveryId(Tally.Crossing crossing) {
        return crossing.ruleId() + "/" + crossing.subject() + "/" + crossing.period().key() + "/"
                + crossing.periodStart() + "/" + crossing.measure() + "/" + crossing.threshold();
    }

    static String body(Tally.Crossing crossing, LimitRule rule, String periodStart, String share) {
        ObjectNode json = NODES.objectNode();
        json.put("type", "tollgate.admission.threshold");
        json.put("ruleId", rule.id());
        json.put("subjectType", rule.subject().type().key());
        json.put("subject", crossing.subject());
        json.put("period", crossing.period().key());
        json.put("periodStart", periodStart);
        json.put("measure", crossing.measure());
        json.put("threshold", crossing.threshold());
        json.put("used", plain(crossing.used()));
        json.put("limit", plain(crossing.limit()));
        json.put("percentUsed", share);
        json.put("enforcement", rule.enforcement().key());
        json.put("at", Instant.now().toString());
        return json.toString();
    }
}
