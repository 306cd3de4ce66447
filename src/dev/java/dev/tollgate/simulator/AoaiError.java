package dev.tollgate.simulator;

/**
 * A request the simulator refuses, carried up to the handler so it is answered in Azure's error shape
 * {@code {"error":{"code":..,"message":..}}}.
 */
final class AoaiError extends RuntimeException {

    private final int status;
    private final String code;

    AoaiError(int status, String code, String message) {
        super(message, null, false, false); // no stack trace: this is an expected answer, not a failure
        this.status = status;
        this.code = code;
    }

    static AoaiError badRequest(String message) {
        return new AoaiError(400, "BadRequest", message);
    }

    static AoaiError notFound() {
        return new AoaiError(404, "404", "Resource not found");
    }

    static AoaiError unauthorized() {
        return new AoaiError(401, "401", "Access denied due to invalid subscription key or wrong API endpoint. "
                + "Make sure to provide a valid key for an active subscription and use a correct regional API "
                + "endpoint for your resource.");
    }

    /** Error injected with {@link SimulatedBackend#failNext(int, int)}; code and text follow what Azure sends. */
    static AoaiError injected(int status) {
        return switch (status) {
            case 500 -> new AoaiError(500, "InternalServerError",
                    "The server had an error while processing your request. Sorry about that!");
            case 502 -> new AoaiError(502, "BadGateway", "Bad gateway.");
            case 503 -> new AoaiError(503, "ServiceUnavailable",
                    "The service is temporarily unable to process your request. Please try again later.");
            case 504 -> new AoaiError(504, "Timeout", "The operation was timeout.");
            default -> new AoaiError(status, String.valueOf(status), "Simulated failure with status " + status + ".");
        };
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
