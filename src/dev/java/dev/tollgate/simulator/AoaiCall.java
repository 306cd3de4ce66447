package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated AOAI request: everything the simulator needs to decide and shape its answer.
 *
 * @param operation           chat, completions, embeddings or responses
 * @param deployment          deployment from the path, or the body's {@code model} on routes without one
 * @param model               model version the deployment serves
 * @param apiVersion          {@code api-version} query value, {@code "v1"} when absent on the v1 route
 * @param stream              whether the answer is server-sent events
 * @param includeUsage        whether a streamed answer reports usage: {@code stream_options.include_usage} for chat
 *                            and completions, always for a streamed response (its final event carries it)
 * @param maxCompletionTokens {@code max_completion_tokens} or {@code max_tokens}, for responses
 *                            {@code max_output_tokens}; {@code null} when not given
 * @param prompt              the prompt texts
 * @param body                the raw request body, for operation-specific options such as {@code dimensions}
 */
record AoaiCall(Operation operation, String deployment, String model, String apiVersion, boolean stream,
                boolean includeUsage, Integer maxCompletionTokens, Prompt prompt, ObjectNode body) {
}
