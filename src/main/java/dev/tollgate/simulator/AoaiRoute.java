package dev.tollgate.simulator;

import java.util.Optional;

/**
 * A matched AOAI endpoint. Two URL families exist: the classic deployment-scoped one, which names the deployment in
 * the path and requires {@code api-version}, and the newer {@code /openai/v1} one, which takes the deployment from the
 * body's {@code model} and needs no version.
 *
 * @param operation  what is asked for
 * @param deployment deployment named in the path, or {@code null} for the v1 family
 */
record AoaiRoute(Operation operation, String deployment) {

    private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";
    private static final String V1_PREFIX = "/openai/v1/";

    static Optional<AoaiRoute> match(String method, String path) {
        if (!"POST".equals(method) || path == null) {
            return Optional.empty();
        }
        if (path.startsWith(V1_PREFIX)) {
            return operationFor(path.substring(V1_PREFIX.length())).map(op -> new AoaiRoute(op, null));
        }
        if (path.startsWith(DEPLOYMENTS_PREFIX)) {
            String rest = path.substring(DEPLOYMENTS_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                return Optional.empty();
            }
            String deployment = rest.substring(0, slash);
            return operationFor(rest.substring(slash + 1)).map(op -> new AoaiRoute(op, deployment));
        }
        return Optional.empty();
    }

    private static Optional<Operation> operationFor(String suffix) {
        for (Operation op : Operation.values()) {
            if (op.pathSuffix().equals(suffix)) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    /** Only the deployment-scoped family rejects a request without {@code api-version}. */
    boolean requiresApiVersion() {
        return deployment != null;
    }
}
