package dev.tollgate.simulator;

/**
 * The AOAI operations the simulator speaks. The operation id is the name Azure uses in its rate-limit messages.
 */
enum Operation {
    CHAT("chat/completions", "ChatCompletions_Create"),
    COMPLETIONS("completions", "Completions_Create"),
    EMBEDDINGS("embeddings", "Embeddings_Create"),
    RESPONSES("responses", "Responses_Create");

    private final String pathSuffix;
    private final String operationId;

    Operation(String pathSuffix, String operationId) {
        this.pathSuffix = pathSuffix;
        this.operationId = operationId;
    }

    String pathSuffix() {
        return pathSuffix;
    }

    String operationId() {
        return operationId;
    }

    boolean canStream() {
        return this != EMBEDDINGS;
    }
}
