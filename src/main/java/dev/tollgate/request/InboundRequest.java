package dev.tollgate.request;

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
 * @param tokens        what the body says about its tokens, read without the tokenizer
 */
public record InboundRequest(PathStyle style, String deployment, Operation operation, String query, boolean stream,
                             boolean usageInjected, Buffer body, Tokens tokens) {

    /**
     * What a request body says about its tokens, read without the tokenizer.
     *
     * @param quickPrompt the prompt's quick estimate: UTF-8 bytes / 4 plus the per-message framing ({@link BodyScan})
     * @param maxOutput   the output limit it sets ({@code max_completion_tokens}, {@code max_tokens} or
     *                    {@code max_output_tokens}), or -1 when it sets none
     * @param choices     the choices it asks for ({@code n}), at least 1
     */
    public record Tokens(long quickPrompt, long maxOutput, long choices) {
    }

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
