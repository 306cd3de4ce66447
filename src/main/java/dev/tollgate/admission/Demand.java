package dev.tollgate.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one request asks for.
 *
 * @param body          the caller's parsed JSON (chat messages / prompt / input, max_tokens, max_completion_tokens,
 *                      max_output_tokens); null when the body is not JSON
 * @param operationPath e.g. {@code chat/completions}, {@code embeddings}, {@code responses}
 */
public record Demand(String appId, String deployment, String operationPath, ObjectNode body) {
}
