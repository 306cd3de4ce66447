package dev.tollgate.errors;

/** The error codes the gateway itself answers with, each with the HTTP status it goes with. */
public enum ErrorCode {
    /** No bearer token, or one that failed validation. */
    UNAUTHORIZED(401, "401"),
    /** A valid token that may not do this (no app id, a missing role). */
    FORBIDDEN(403, "403"),
    /** The request body or a parameter is unusable. */
    BAD_REQUEST(400, "BadRequest"),
    /** No pool answers that deployment name. */
    DEPLOYMENT_NOT_FOUND(404, "DeploymentNotFound"),
    /** The path is not an operation the gateway forwards. */
    NOT_FOUND(404, "404"),
    /** The request conflicts with what is stored (e.g. removing a price row that priced records). */
    CONFLICT(409, "Conflict"),
    /** Every backend that could serve the request is throttled or unavailable for now. */
    TOO_MANY_REQUESTS(429, "429"),
    /** Admission: the caller's token quota for the period is spent (waiting for the period to end helps). */
    TOKEN_QUOTA_EXCEEDED(403, "TokenQuotaExceeded"),
    /** Admission: the caller's cost budget for the period is spent. */
    BUDGET_EXCEEDED(403, "BudgetExceeded"),
    /** Admission: the caller may not call this deployment or model family at all. */
    DEPLOYMENT_NOT_ALLOWED(403, "DeploymentNotAllowed"),
    /** Admission: one request asks for more tokens than the caller's per-minute limit, so no wait can admit it. */
    REQUEST_EXCEEDS_RATE_LIMIT(403, "RequestExceedsRateLimit"),
    /** The request body is larger than the configured limit. */
    PAYLOAD_TOO_LARGE(413, "PayloadTooLarge"),
    /** No backend could be reached (refused, unresolvable, connect timeout). */
    BAD_GATEWAY(502, "BadGateway"),
    /** The backend accepted the request but went silent longer than the idle timeout. */
    GATEWAY_TIMEOUT(504, "GatewayTimeout"),
    /** Something the request needs is unavailable for now (the database, free backend connections); retry later. */
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable"),
    /** A fault of the gateway itself; the message never carries internals. */
    INTERNAL(500, "InternalServerError");

    private final int status;
    private final String code;

    ErrorCode(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The code in the AOAI error shape, e.g. {@code 429} or {@code BudgetExceeded}. */
    public String code() {
        return code;
    }

    public AoaiError with(String message) {
        return AoaiError.of(code, message);
    }
}
