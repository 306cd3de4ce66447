package dev.tollgate.export;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.metering.Usage;
import dev.tollgate.metering.UsageRecord;
import dev.tollgate.metering.UsageSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEventTest {

    private static final UUID ID = UUID.fromString("01936f4e-8c2a-7b3d-9f10-2a4b6c8d0e1f");

    @Test
    void writesSchemaVersionOneWithEveryFieldInAFixedOrderAndExplicitNulls() {
        UsageRecord record = new UsageRecord(ID, Instant.parse("2025-03-01T12:34:56.789012Z"), "app \"1\"", null,
                "gpt-4o", "gpt-4o-2024-08-06", "sim-1", null, DeploymentType.GLOBAL, "chat/completions", true, 200, 1234, 2,
                new Usage(1200, 256, 300, 64, 1500, UsageSource.REPORTED), null, null);

        String json = new String(new UsageEvent(42, record).toJson(), StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"schemaVersion\":1,\"type\":\"tollgate.usage\","
                + "\"id\":\"01936f4e-8c2a-7b3d-9f10-2a4b6c8d0e1f\",\"seq\":42,"
                + "\"occurredAt\":\"2025-03-01T12:34:56.789012Z\",\"appId\":\"app \\\"1\\\"\",\"tenantId\":null,"
                + "\"deployment\":\"gpt-4o\",\"model\":\"gpt-4o-2024-08-06\",\"backendId\":\"sim-1\",\"region\":null,"
                + "\"deploymentType\":\"global\","
                + "\"operation\":\"chat/completions\",\"stream\":true,\"status\":200,\"latencyMs\":1234,"
                + "\"attempts\":2,\"inputTokens\":1200,\"cachedInputTokens\":256,\"outputTokens\":300,"
                + "\"reasoningTokens\":64,\"totalTokens\":1500,\"usageSource\":\"reported\","
                + "\"upstreamRequestId\":null,\"userId\":null,\"modelInferred\":false,\"limitedBy\":null}");
    }

    @Test
    void aRefusedRequestOfAUserCarriesTheRuleAndTheUser() {
        UsageRecord record = new UsageRecord(ID, Instant.parse("2025-03-01T12:34:56Z"), "app-1", "tenant", "gpt-4o",
                "gpt-4o-2024-08-06", null, null, null, "chat/completions", false, 429, 3, 0, Usage.none(), null,
                "user \"7\"", true, "tpm-rule");

        String json = new String(new UsageEvent(7, record).toJson(), StandardCharsets.UTF_8);

        assertThat(json).endsWith(",\"usageSource\":\"none\",\"upstreamRequestId\":null,"
                + "\"userId\":\"user \\\"7\\\"\",\"modelInferred\":true,\"limitedBy\":\"tpm-rule\"}");
    }

    @Test
    void theRecordIdIsTheMessageIdAndTheAppThePartitionKey() {
        UsageEvent event = new UsageEvent(1, record("3f1c2a4e-0000-4000-8000-000000000001"));
        assertThat(event.messageId()).isEqualTo(ID.toString());
        assertThat(event.partitionKey()).isEqualTo("3f1c2a4e-0000-4000-8000-000000000001");
    }

    @Test
    void anAppIdTooLongForAPartitionKeyIsHashed() {
        String longAppId = "a".repeat(200);
        String key = new UsageEvent(1, record(longAppId)).partitionKey();
        assertThat(key).hasSize(64).matches("[0-9a-f]+");
        assertThat(new UsageEvent(2, record(longAppId)).partitionKey()).isEqualTo(key);
    }

    private static UsageRecord record(String appId) {
        return new UsageRecord(ID, Instant.now(), appId, null, "gpt-4o", null, null, null, null, "embeddings", false, 200,
                5, 1, Usage.none(), null, null);
    }
}
