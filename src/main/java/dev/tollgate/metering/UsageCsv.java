package dev.tollgate.metering;

import java.util.List;

/**
 * Usage records as PostgreSQL COPY CSV, in {@link UsageWriter}'s column order. Text is always quoted and stripped of
 * NUL characters; null is empty.
 */
final class UsageCsv {

    private UsageCsv() {
    }

    static String of(List<UsageRecord> records) {
        StringBuilder csv = new StringBuilder(records.size() * 256);
        for (UsageRecord r : records) {
            Usage usage = r.usage();
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
            if (r.upstreamRequestId() != null) {
                quoted(csv, r.upstreamRequestId());
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
