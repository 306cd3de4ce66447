package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated AOAI request: everything the simulator needs to decide and shape its answer.
 *
 * @param operation           chat, completions or embeddings
 * @param deployment          deployment from the path, or the body's {@code model} on the v1 route
 * @param model               model version the deployment serves
 * @param apiVersion          {@code api-version} query value, {@code "v1"} when absent on the v1 route
 * @param stream              whether the answer is server-sent events
 * @param includeUsage        whether a streamed answer ends with a usage chunk ({@code stream_options.include_usage})
 * @param maxCompletionTokens {@code max_completion_tokens} or {@code max_tokens}, {@code null} when not given
 * @param prompt              the prompt texts
 * @param body                the raw request body, for operation-specific options such as {@code dimensions}
 */
record AoaiCall(Operation operation, String deployment, String model, String apiVersion, boolean stream,
                boolean includeUsage, Integer maxCompletionTokens, Prompt prompt, ObjectNode body) {
}
