package dev.tollgate.errors;

/** A reject with a known status and AOAI error code, raised anywhere on the request path. */
public class GatewayException extends RuntimeException {

    private final ErrorCode code;

    public GatewayException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public AoaiError body() {
        return code.with(getMessage());
    }
}
