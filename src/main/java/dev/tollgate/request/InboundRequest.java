package dev.tollgate.request;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * @param json          the same body parsed, for a target that needs it changed (another model on the v1 path)
 */
public record InboundRequest(PathStyle style, String deployment, Operation operation, String query, boolean stream,
                             boolean usageInjected, Buffer body, ObjectNode json) {

    /** The two URL shapes of the AOAI API. */
    public enum PathStyle {
        /** {@code /openai/deployments/{deployment}/{operation}?api-version=…} */
        DEPLOYMENTS,
        /** {@code /openai/v1/{operation}} with the deployment in the body's {@code model}. */
        V1,
        /**
         * {@code /openai/{operation}?api-version=…} with the deployment in the body's {@code model}: how the Azure
         * SDKs call the Responses API.
         */
        ROOT;

        /** Whether the deployment is named by the body's {@code model} (rather than the path). */
        boolean deploymentInBody() {
            return this != DEPLOYMENTS;
        }
    }
}
