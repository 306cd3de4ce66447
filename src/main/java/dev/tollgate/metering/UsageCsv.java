package dev.tollgate.metering;

import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.Priced;
import dev.tollgate.pricing.Tokens;

import java.util.List;

/**
 * Usage records as PostgreSQL COPY CSV, in {@link UsageWriter}'s column order. Text is always quoted and stripped of
 * NUL characters; null is empty.
 */
final class UsageCsv {

    private UsageCsv() {
    }

    /** The records, each priced with the catalog. */
    static String of(List<UsageRecord> records, PriceCatalog catalog) {
        StringBuilder csv = new StringBuilder(records.size() * 256);
        for (UsageRecord r : records) {
            Usage usage = r.usage();
            Priced priced = catalog.price(r.model(), r.deploymentType(), r.region(), r.occurredAt(),
                    new Tokens(usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens()));
            csv.append(r.id()).append(',')
                    .append(r.occurredAt()).append(',');
            text(csv, r.appId());
            text(csv, r.tenantId());
            text(csv, r.deployment());
            text(csv, r.model());
            text(csv, r.backendId());
            text(csv, r.region());
            text(csv, r.operation());
            csv.append(r.stream() ? 't' : 'f').append(',')
                    .append(r.status()).append(',')
                    .append(r.latencyMs()).append(',')
                    .append(r.attempts()).append(',')
                    .append(usage.inputTokens()).append(',')
                    .append(usage.cachedInputTokens()).append(',')
                    .append(usage.outputTokens()).append(',')
                    .append(usage.reasoningTokens()).append(',')
                    .append(usage.totalTokens()).append(',')
                    .append(usage.source().dbValue()).append(',');
            text(csv, r.upstreamRequestId());
            text(csv, r.deploymentType() == null ? null : r.deploymentType().key());
            if (priced.priceId() != null) {
                csv.append(priced.priceId());
            }
            csv.append(',');
            if (priced.cost() != null) {
                csv.append(priced.cost().toPlainString());
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    private static void text(StringBuilder csv, String value) {
        if (value != null) {
            quoted(csv, value);
        }
        csv.append(',');
    }

    private static void quoted(StringBuilder csv, String value) {
        csv.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                csv.append('"');
            }
            if (c != 0) { // PostgreSQL text cannot hold NUL: a record with one would be refused forever
                csv.append(c);
            }
        }
        csv.append('"');
    }
}
