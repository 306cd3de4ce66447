package dev.tollgate.simulator;

import java.util.Optional;

/**
 * A matched AOAI endpoint. Three URL families exist: the classic deployment-scoped one, which names the deployment in
 * the path and requires {@code api-version}; the resource-scoped {@code /openai/responses} the Azure SDKs call, which
 * takes the deployment from the body's {@code model} but still requires {@code api-version}; and the newer
 * {@code /openai/v1} one, which takes the deployment from the body and needs no version.
 *
 * @param operation          what is asked for
 * @param deployment         deployment named in the path, or {@code null} when the body's {@code model} names it
 * @param requiresApiVersion whether a request without {@code api-version} is refused
 */
record AoaiRoute(Operation operation, String deployment, boolean requiresApiVersion) {

    private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";
    private static final String V1_PREFIX = "/openai/v1/";
    private static final String RESOURCE_RESPONSES = "/openai/" + Operation.RESPONSES.pathSuffix();

    static Optional<AoaiRoute> match(String method, String path) {
        if (!"POST".equals(method) || path == null) {
            return Optional.empty();
        }
        if (path.startsWith(V1_PREFIX)) {
            return operationFor(path.substring(V1_PREFIX.length())).map(op -> new AoaiRoute(op, null, false));
        }
        if (path.equals(RESOURCE_RESPONSES)) {
            return Optional.of(new AoaiRoute(Operation.RESPONSES, null, true));
        }
        if (path.startsWith(DEPLOYMENTS_PREFIX)) {
            String rest = path.substring(DEPLOYMENTS_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                return Optional.empty();
            }
            String deployment = rest.substring(0, slash);
            return operationFor(rest.substring(slash + 1)).map(op -> new AoaiRoute(op, deployment, true));
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
}
