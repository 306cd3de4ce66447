package dev.tollgate.request;

import java.util.Optional;

/** The AOAI operations the gateway forwards, by the path that names them. */
public enum Operation {
    CHAT_COMPLETIONS("chat/completions", true),
    COMPLETIONS("completions", true),
    EMBEDDINGS("embeddings", false),
    /** The Responses API streams its usage on {@code response.completed} without being asked. */
    RESPONSES("responses", false);

    private final String path;
    private final boolean streamsUsage;

    Operation(String path, boolean streamsUsage) {
        this.path = path;
        this.streamsUsage = streamsUsage;
    }

    public String path() {
        return path;
    }

    /** Whether a streamed answer can carry usage when asked with {@code stream_options.include_usage}. */
    public boolean streamsUsage() {
        return streamsUsage;
    }

    public static Optional<Operation> fromPath(String path) {
        for (Operation operation : values()) {
            if (operation.path.equals(path)) {
                return Optional.of(operation);
            }
        }
        return Optional.empty();
    }
}
