package dev.tollgate.metering;

import dev.tollgate.routing.DeploymentType;

import java.time.Instant;
import java.util.UUID;

/**
 * One proxied request, as it is stored and exported. Its id is the request id handed to the caller in
 * {@code x-request-id}; it makes every write idempotent and lets consumers drop repeats.
 *
 * @param deployment        the deployment name the caller asked for
 * @param model             the model the upstream says served it (what gets priced), null if unknown
 * @param backendId         the backend that answered, null if none was reached
 * @param region            that backend's Azure region, if configured (prices can differ by region)
 * @param deploymentType    how the target deployment is hosted (selects the price), null if none was reached
 * @param operation         e.g. {@code chat/completions}
 * @param status            the status the caller received
 * @param attempts          how many targets were tried (1 unless the first throttled or failed; 0 if none was)
 * @param upstreamRequestId the upstream's {@code apim-request-id}, for support cases with Azure
 * @param userId            the signed-in user of a delegated token ({@link dev.tollgate.identity.Caller#userId()}),
 *                          null for an app-only token
 * @param modelInferred     the answer never named its model: {@code model} is the one the target is known to serve
 * @param limitedBy         the admission rule that refused the request (then status 429 or 403, no usage), else null
 * @param upstreamDeployment the deployment the backend was asked for (the target's; may differ from
 *                          {@code deployment}), null if none was reached: with the backend, the provisioned deployment
 *                          whose capacity the record used
 * @param spill             the provisioned target that refused the request before another served it, null if none
 */
public record UsageRecord(UUID id, Instant occurredAt, String appId, String tenantId, String deployment,
                          String model, String backendId, String region, DeploymentType deploymentType,
                          String operation, boolean stream, int status, int latencyMs, int attempts, Usage usage,
                          String upstreamRequestId, String userId, boolean modelInferred,
                          String limitedBy, String upstreamDeployment, Spill spill) {

    /**
     * A request a provisioned target refused (it was full: 429, or failing) and the pool sent on to another target.
     *
     * @param status what it answered; 0 when it gave no answer (connection failed, timed out)
     */
    public record Spill(String backendId, String deployment, int status) {
    }

    /** A record with no target deployment or spill known. */
    public UsageRecord(UUID id, Instant occurredAt, String appId, String tenantId, String deployment, String model,
                       String backendId, String region, DeploymentType deploymentType, String operation,
                       boolean stream, int status, int latencyMs, int attempts, Usage usage,
                       String upstreamRequestId, String userId, boolean modelInferred, String limitedBy) {
        this(id, occurredAt, appId, tenantId, deployment, model, backendId, region, deploymentType, operation, stream,
                status, latencyMs, attempts, usage, upstreamRequestId, userId, modelInferred, limitedBy, null, null);
    }

    /** A record admission let through whose model, if any, is the one the answer named. */
    public UsageRecord(UUID id, Instant occurredAt, String appId, String tenantId, String deployment, String model,
                       String backendId, String region, DeploymentType deploymentType, String operation,
                       boolean stream, int status, int latencyMs, int attempts, Usage usage,
                       String upstreamRequestId, String userId) {
        this(id, occurredAt, appId, tenantId, deployment, model, backendId, region, deploymentType, operation, stream,
                status, latencyMs, attempts, usage, upstreamRequestId, userId, false, null, null, null);
    }

    /** The same record with other usage (an estimate made after the record was taken). */
    public UsageRecord withUsage(Usage other) {
        return new UsageRecord(id, occurredAt, appId, tenantId, deployment, model, backendId, region, deploymentType,
                operation, stream, status, latencyMs, attempts, other, upstreamRequestId, userId, modelInferred,
                limitedBy, upstreamDeployment, spill);
    }

    /** The same record priced as {@code servedModel}, which the target is known to serve (the answer named none). */
    public UsageRecord withInferredModel(String servedModel) {
        return new UsageRecord(id, occurredAt, appId, tenantId, deployment, servedModel, backendId, region,
                deploymentType, operation, stream, status, latencyMs, attempts, usage, upstreamRequestId, userId, true,
                limitedBy, upstreamDeployment, spill);
    }
}
