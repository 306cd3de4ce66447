package dev.tollgate.metering;

import dev.tollgate.ledger.RecordColumn;
import dev.tollgate.pricing.PriceCatalog;
import dev.tollgate.pricing.Priced;
import dev.tollgate.pricing.Tokens;
import org.postgresql.util.ByteConverter;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * UTF-8 stripped of NUL characters, timestamps as microseconds since 2000, numeric as pgjdbc encodes it.
 */
final class UsageCopy {

    private static final RecordColumn[] COLUMNS = RecordColumn.values();
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    private static final int NULL = -1;

    private UsageCopy() {
    }

    /** The records, each priced with the catalog, as one binary COPY stream (header, rows, trailer). */
    static byte[] of(List<UsageRecord> records, PriceCatalog catalog) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 320 + 32);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.write(SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
            for (UsageRecord r : records) {
                Usage usage = r.usage();
                Priced priced = catalog.price(r.model(), r.deploymentType(), r.region(), r.occurredAt(),
                        new Tokens(usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens()));
                out.writeShort(COLUMNS.length);
                for (RecordColumn column : COLUMNS) {
                    value(out, column, r, usage, priced);
                }
            }
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return bytes.toByteArray();
    }

    private static void value(DataOutputStream out, RecordColumn column, UsageRecord r, Usage usage, Priced priced)
            throws IOException {
        switch (column) {
            case ID -> uuid(out, r.id());
            case OCCURRED_AT -> timestamp(out, r.occurredAt());
            case APP_ID -> text(out, r.appId());
            case TENANT_ID -> text(out, r.tenantId());
            case DEPLOYMENT -> text(out, r.deployment());
            case MODEL -> text(out, r.model());
            case BACKEND_ID -> text(out, r.backendId());
            case REGION -> text(out, r.region());
            case OPERATION -> text(out, r.operation());
            case STREAM -> bool(out, r.stream());
            case STATUS -> int4(out, r.status());
            case LATENCY_MS -> int4(out, r.latencyMs());
            case ATTEMPTS -> int4(out, r.attempts());
            case INPUT_TOKENS -> int8(out, usage.inputTokens());
            case CACHED_INPUT_TOKENS -> int8(out, usage.cachedInputTokens());
            case OUTPUT_TOKENS -> int8(out, usage.outputTokens());
            case REASONING_TOKENS -> int8(out, usage.reasoningTokens());
            case TOTAL_TOKENS -> int8(out, usage.totalTokens());
            case USAGE_SOURCE -> text(out, usage.source().dbValue());
            case UPSTREAM_REQUEST_ID -> text(out, r.upstreamRequestId());
            case DEPLOYMENT_TYPE -> text(out, r.deploymentType() == null ? null : r.deploymentType().key());
            case PRICE_ID -> {
                if (priced.priceId() == null) {
                    out.writeInt(NULL);
                } else {
                    int8(out, priced.priceId());
                }
            }
            case COST -> numeric(out, priced.cost());
            case USER_ID -> text(out, r.userId());
            case MODEL_INFERRED -> bool(out, r.modelInferred());
            case LIMITED_BY -> text(out, r.limitedBy());
            case UPSTREAM_DEPLOYMENT -> text(out, r.upstreamDeployment());
            case SPILLED_FROM_BACKEND -> text(out, r.spill() == null ? null : r.spill().backendId());
            case SPILLED_FROM_DEPLOYMENT -> text(out, r.spill() == null ? null : r.spill().deployment());
            case SPILLED_STATUS -> {
                if (r.spill() == null) {
                    out.writeInt(NULL);
                } else {
                    int4(out, r.spill().status());
                }
            }
        }
    }

    private static void uuid(DataOutputStream out, UUID id) throws IOException {
        out.writeInt(16);
        out.writeLong(id.getMostSignificantBits());
        out.writeLong(id.getLeastSignificantBits());
    }

    /** Rounded to the microsecond as PostgreSQL rounds a timestamp given in text (to nearest, ties to even). */
    private static void timestamp(DataOutputStream out, Instant at) throws IOException {
        out.writeInt(8);
        out.writeLong((at.getEpochSecond() - POSTGRES_EPOCH_SECONDS) * 1_000_000L
                + (long) Math.rint(at.getNano() / 1000.0));
    }

    private static void text(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(NULL);
            return;
        }
        // PostgreSQL text cannot hold NUL: a record with one would be refused forever
        byte[] utf8 = (value.indexOf(0) < 0 ? value : value.replace("\0", "")).getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void bool(DataOutputStream out, boolean value) throws IOException {
        out.writeInt(1);
        out.writeByte(value ? 1 : 0);
    }

    private static void int4(DataOutputStream out, int value) throws IOException {
        out.writeInt(4);
        out.writeInt(value);
    }

    private static void int8(DataOutputStream out, long value) throws IOException {
        out.writeInt(8);
        out.writeLong(value);
    }

    private static void numeric(DataOutputStream out, BigDecimal value) throws IOException {
        if (value == null) {
            out.writeInt(NULL);
            return;
        }
        byte[] encoded = ByteConverter.numeric(value);
        out.writeInt(encoded.length);
        out.write(encoded);
    }
}
