package dev.tollgate.metering;

import dev.tollgate.ledger.RecordColumn;
import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.Priced;
import dev.tollgate.pricing.Tokens;

import java.util.List;

/**
 * Usage records as PostgreSQL COPY CSV, a row each with the {@link RecordColumn}s in their order: the switch below
 * names every column, so that one added there cannot be left out here. Text is always quoted and stripped of NUL
 * characters; null is empty.
 */
final class UsageCsv {

    private static final RecordColumn[] COLUMNS = RecordColumn.values();

    private UsageCsv() {
    }

    /** The records, each priced with the catalog. */
    static String of(List<UsageRecord> records, PriceCatalog catalog) {
        StringBuilder csv = new StringBuilder(records.size() * 256);
        for (UsageRecord r : records) {
            Usage usage = r.usage();
            Priced priced = catalog.price(r.model(), r.deploymentType(), r.region(), r.occurredAt(),
                    new Tokens(usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens()));
            for (int i = 0; i < COLUMNS.length; i++) {
                value(csv, COLUMNS[i], r, usage, priced).append(i < COLUMNS.length - 1 ? ',' : '\n');
            }
        }
        return csv.toString();
    }

    private static StringBuilder value(StringBuilder csv, RecordColumn column, UsageRecord r, Usage usage,
                                       Priced priced) {
        return switch (column) {
            case ID -> csv.append(r.id());
            case OCCURRED_AT -> csv.append(r.occurredAt());
            case APP_ID -> text(csv, r.appId());
            case TENANT_ID -> text(csv, r.tenantId());
            case DEPLOYMENT -> text(csv, r.deployment());
            case MODEL -> text(csv, r.model());
            case BACKEND_ID -> text(csv, r.backendId());
            case REGION -> text(csv, r.region());
            case OPERATION -> text(csv, r.operation());
            case STREAM -> csv.append(r.stream() ? 't' : 'f');
            case STATUS -> csv.append(r.status());
            case LATENCY_MS -> csv.append(r.latencyMs());
            case ATTEMPTS -> csv.append(r.attempts());
            case INPUT_TOKENS -> csv.append(usage.inputTokens());
            case CACHED_INPUT_TOKENS -> csv.append(usage.cachedInputTokens());
            case OUTPUT_TOKENS -> csv.append(usage.outputTokens());
            case REASONING_TOKENS -> csv.append(usage.reasoningTokens());
            case TOTAL_TOKENS -> csv.append(usage.totalTokens());
            case USAGE_SOURCE -> csv.append(usage.source().dbValue());
            case UPSTREAM_REQUEST_ID -> text(csv, r.upstreamRequestId());
            case DEPLOYMENT_TYPE -> text(csv, r.deploymentType() == null ? null : r.deploymentType().key());
            case PRICE_ID -> priced.priceId() == null ? csv : csv.append(priced.priceId());
            case COST -> priced.cost() == null ? csv : csv.append(priced.cost().toPlainString());
            case USER_ID -> text(csv, r.userId());
            case MODEL_INFERRED -> csv.append(r.modelInferred() ? 't' : 'f');
            case LIMITED_BY -> text(csv, r.limitedBy());
            case UPSTREAM_DEPLOYMENT -> text(csv, r.upstreamDeployment());
            case SPILLED_FROM_BACKEND -> text(csv, r.spill() == null ? null : r.spill().backendId());
            case SPILLED_FROM_DEPLOYMENT -> text(csv, r.spill() == null ? null : r.spill().deployment());
            case SPILLED_STATUS -> r.spill() == null ? csv : csv.append(r.spill().status());
        };
    }

    private static StringBuilder text(StringBuilder csv, String value) {
        if (value == null) {
            return csv;
        }
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
        return csv.append('"');
    }
}
