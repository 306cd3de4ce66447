package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;

import java.time.Instant;
import java.util.UUID;

/**
 * The journal's entry for a request sent to a backend whose record is not made yet: what it takes to charge it if the
 * gateway stops before it ends. {@code promptTokens} is the prompt's estimate, counted when the entry is written.
 */
record OpenedRequest(UUID id, Instant occurredAt, String appId, String tenantId, String userId, String deployment,
                     String model,
                     boolean modelInferred, String backendId, String region, DeploymentType deploymentType,
                     String operation, boolean stream, long promptTokens) {

    /** Recorded when the gateway stopped before it knew how the request ended: status unknown (0), the prompt's tokens. */
    static final int STATUS_UNKNOWN = 0;

    /** The record of a request that was never seen to end: the prompt it sent, charged; output unknown. */
    UsageRecord interrupted() {
        Usage usage = new Usage(promptTokens, 0, 0, 0, promptTokens, UsageSource.INTERRUPTED);
        return new UsageRecord(id, occurredAt, appId, tenantId, deployment, model, backendId, region, deploymentType,
                operation, stream, STATUS_UNKNOWN, 0, 1, usage, null, userId, modelInferred, null);
    }
}
