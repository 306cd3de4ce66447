package dev.tollgate.metering;

import dev.tollgate.ledger.RecordColumn;
import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.Priced;
import dev.tollgate.pricing.Tokens;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Usage records in PostgreSQL's binary COPY format, a row each with the {@link RecordColumn}s in their order: the
 * switch below names every column, so that one added there cannot be left out here. Binary rather than CSV because
 * parsing text (CSV lines, timestamps, UUIDs, numbers) was the largest part of the server's CPU per record. Each value
 * is sent in the wire form of its column's type ({@code usage_record}'s, which the staging table copies): text as
 * UTF-8 stripped of NUL characters, timestamps as microseconds since 2000, numeric as {@link PgNumeric} encodes it.
 *
 * <p>One instance per writer, not thread-safe: a batch is built in a buffer kept from batch to batch, ASCII text
 * (nearly every value) copied into it a byte per character, so building a batch allocates next to nothing.
 */
final class UsageCopy {

    private static final RecordColumn[] COLUMNS = RecordColumn.values();
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    private static final int NULL = -1;

    private final CopyBuffer out = new CopyBuffer(64 * 1024);

    /**
     * The records, each priced with the catalog, as one binary COPY stream (header, rows, trailer), read in place:
     * valid until the next call.
     */
    InputStream of(List<UsageRecord> records, PriceCatalog catalog) {
        out.clear();
        out.put(SIGNATURE);
        out.putInt(0); // flags: no OIDs
        out.putInt(0); // no header extension
        for (UsageRecord r : records) {
            Usage usage = r.usage();
            Priced priced = catalog.price(r.model(), r.deploymentType(), r.region(), r.occurredAt(),
                    new Tokens(usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens()));
            out.putShort(COLUMNS.length);
            for (RecordColumn column : COLUMNS) {
                value(column, r, usage, priced);
            }
        }
        out.putShort(-1);
        return out.contents();
    }

    private void value(RecordColumn column, UsageRecord r, Usage usage, Priced priced) {
        switch (column) {
            case ID -> uuid(r.id());
            case OCCURRED_AT -> timestamp(r.occurredAt());
            case APP_ID -> text(r.appId());
            case TENANT_ID -> text(r.tenantId());
            case DEPLOYMENT -> text(r.deployment());
            case MODEL -> text(r.model());
            case BACKEND_ID -> text(r.backendId());
            case REGION -> text(r.region());
            case OPERATION -> text(r.operation());
            case STREAM -> bool(r.stream());
            case STATUS -> int4(r.status());
            case LATENCY_MS -> int4(r.latencyMs());
            case ATTEMPTS -> int4(r.attempts());
            case INPUT_TOKENS -> int8(usage.inputTokens());
            case CACHED_INPUT_TOKENS -> int8(usage.cachedInputTokens());
            case OUTPUT_TOKENS -> int8(usage.outputTokens());
            case REASONING_TOKENS -> int8(usage.reasoningTokens());
            case TOTAL_TOKENS -> int8(usage.totalTokens());
            case USAGE_SOURCE -> text(usage.source().dbValue());
            case UPSTREAM_REQUEST_ID -> text(r.upstreamRequestId());
            case DEPLOYMENT_TYPE -> text(r.deploymentType() == null ? null : r.deploymentType().key());
            case PRICE_ID -> {
                if (priced.priceId() == null) {
                    out.putInt(NULL);
                } else {
                    int8(priced.priceId());
                }
            }
            case COST -> numeric(priced.cost());
            case USER_ID -> text(r.userId());
            case MODEL_INFERRED -> bool(r.modelInferred());
            case LIMITED_BY -> text(r.limitedBy());
            case UPSTREAM_DEPLOYMENT -> text(r.upstreamDeployment());
            case SPILLED_FROM_BACKEND -> text(r.spill() == null ? null : r.spill().backendId());
            case SPILLED_FROM_DEPLOYMENT -> text(r.spill() == null ? null : r.spill().deployment());
            case SPILLED_STATUS -> {
                if (r.spill() == null) {
                    out.putInt(NULL);
                } else {
                    int4(r.spill().status());
                }
            }
        }
    }

    private void uuid(UUID id) {
        out.putInt(16);
        out.putLong(id.getMostSignificantBits());
        out.putLong(id.getLeastSignificantBits());
    }

    /** Rounded to the microsecond as PostgreSQL rounds a timestamp given in text (to nearest, ties to even). */
    private void timestamp(Instant at) {
        out.putInt(8);
        out.putLong((at.getEpochSecond() - POSTGRES_EPOCH_SECONDS) * 1_000_000L
                + (long) Math.rint(at.getNano() / 1000.0));
    }

    private void text(String value) {
        if (value == null) {
            out.putInt(NULL);
            return;
        }
        if (plainAscii(value)) {
            out.putInt(value.length());
            out.putAscii(value);
            return;
        }
        // PostgreSQL text cannot hold NUL: a record with one would be refused forever
        byte[] utf8 = value.replace("\0", "").getBytes(StandardCharsets.UTF_8);
        out.putInt(utf8.length);
        out.put(utf8);
    }

    /** ASCII without NUL: its UTF-8 form is a byte per character, as it is. */
    private static boolean plainAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void bool(boolean value) {
        out.putInt(1);
        out.putByte(value ? 1 : 0);
    }

    private void int4(int value) {
        out.putInt(4);
        out.putInt(value);
    }

    private void int8(long value) {
        out.putInt(8);
        out.putLong(value);
    }

    private void numeric(BigDecimal value) {
        if (value == null) {
            out.putInt(NULL);
        } else {
            PgNumeric.put(out, value);
        }
    }
}
