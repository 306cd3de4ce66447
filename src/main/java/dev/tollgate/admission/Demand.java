package dev.tollgate.admission;

import dev.tollgate.request.InboundRequest;

/**
 * What one request asks for.
 *
 * @param appId   the calling app
 * @param request the request as read: its deployment, operation, the body's token figures, the body itself for the
 *                tokenizer
 */
public record Demand(String appId, InboundRequest request) {

    public String deployment() {
        return request.deployment();
    }

    /** E.g. {@code chat/completions}, {@code embeddings}, {@code responses}. */
    public String operationPath() {
        return request.operation().path();
    }
}
