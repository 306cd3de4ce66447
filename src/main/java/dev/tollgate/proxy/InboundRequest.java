package dev.tollgate.proxy;

import io.vertx.core.buffer.Buffer;

/**
 * A caller's request, read and ready to forward.
 *
 * @param style         which of the two AOAI URL styles the caller used
 * @param deployment    the deployment name asked for (path segment, or the body's {@code model} on the v1 path)
 * @param operation     what is asked
 * @param query         the query string to pass on (api-version), possibly empty
 * @param stream        whether the caller asked for a streamed answer
 * @param usageInjected whether the gateway added {@code stream_options.include_usage} to meter the stream
 * @param body          the body to send upstream
 */
public record InboundRequest(PathStyle style, String deployment, Operation operation, String query, boolean stream,
                             boolean usageInjected, Buffer body) {

    /** The two URL shapes of the AOAI API. */
    public enum PathStyle {
        /** {@code /openai/deployments/{deployment}/{operation}?api-version=…} */
        DEPLOYMENTS,
        /** {@code /openai/v1/{operation}} with the deployment in the body's {@code model}. */
        V1
    }
}
