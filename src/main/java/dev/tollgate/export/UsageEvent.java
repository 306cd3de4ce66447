package dev.tollgate.export;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One usage record as it leaves for Event Hubs: the JSON body of schema version {@value #SCHEMA_VERSION}, documented
 * field by field in {@code docs/events.md}. Change that document with this class; a change that is not purely
 * additive needs a new schema version.
 *
 * <p>The body holds nothing that varies between two sends of the same record (no send time), so a repeat is
 * byte-for-byte the same event and consumers can drop it by {@code id}.
 *
 * @param seq    the record's place in the export order ({@code usage_record.seq})
 * @param record the record
 */
public record UsageEvent(long seq, UsageRecord record) {

    public static final int SCHEMA_VERSION = 1;
    public static final String TYPE = "tollgate.usage";
    public static final String CONTENT_TYPE = "application/json";

    static final int MAX_PARTITION_KEY_LENGTH = 128;
    private static final JsonFactory JSON = new JsonFactory();

    /** The event's message id and de-duplication key: the record id, which is the request's {@code x-request-id}. */
    public String messageId() {
        return record.id().toString();
    }

    /**
     * Events of one app share a partition, and so keep their order. App ids are GUIDs; one longer than Event Hubs'
     * 128-character limit would be refused for ever, so it is replaced by its SHA-256 in hex.
     */
    public String partitionKey() {
        String appId = record.appId();
        return appId.length() <= MAX_PARTITION_KEY_LENGTH ? appId : sha256(appId);
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(640);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            UsageRecord r = record;
            Usage usage = r.usage();
            json.writeStartObject();
            json.writeNumberField("schemaVersion", SCHEMA_VERSION);
            json.writeStringField("type", TYPE);
            json.writeStringField("id", messageId());
            json.writeNumberField("seq", seq);
            json.writeStringField("occurredAt", r.occurredAt().toString());
            json.writeStringField("appId", r.appId());
            json.writeStringField("tenantId", r.tenantId());
            json.writeStringField("deployment", r.deployment());
            json.writeStringField("model", r.model());
            json.writeStringField("backendId", r.backendId());
            json.writeStringField("region", r.region());
            json.writeStringField("deploymentType", r.deploymentType() == null ? null : r.deploymentType().key());
            json.writeStringField("operation", r.operation());
            json.writeBooleanField("stream", r.stream());
            json.writeNumberField("status", r.status());
            json.writeNumberField("latencyMs", r.latencyMs());
            json.writeNumberField("attempts", r.attempts());
            json.writeNumberField("inputTokens", usage.inputTokens());
            json.writeNumberField("cachedInputTokens", usage.cachedInputTokens());
            json.writeNumberField("outputTokens", usage.outputTokens());
            json.writeNumberField("reasoningTokens", usage.reasoningTokens());
            json.writeNumberField("totalTokens", usage.totalTokens());
            json.writeStringField("usageSource", usage.source().dbValue());
            json.writeStringField("upstreamRequestId", r.upstreamRequestId());
            json.writeStringField("userId", r.userId());
            json.writeBooleanField("modelInferred", r.modelInferred());
            json.writeStringField("limitedBy", r.limitedBy());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen writing to memory
        }
        return out.toByteArray();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }
}
