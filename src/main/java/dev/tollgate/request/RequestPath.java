package dev.tollgate.request;

import dev.tollgate.request.InboundRequest.PathStyle;

import java.util.List;

/**
 * Where a caller's request points, read from its path in one of the AOAI URL styles.
 *
 * @param deployment the deployment named in the path, null where the body names it
 * @param operation  what follows the deployment (or {@code /openai/v1/}, or {@code /openai/}) in the path
 */
record RequestPath(PathStyle style, String deployment, String operation) {

    private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";
    private static final String V1_PREFIX = "/openai/v1/";
    /** The Azure SDKs' Responses API path: {@code /openai/responses?api-version=…}, deployment in the body. */
    private static final String RESPONSES = "/openai/responses";

    /** The route paths (Vert.x patterns) that carry AOAI requests, one per URL style. */
    static final List<String> ROUTES = List.of(DEPLOYMENTS_PREFIX + "*", V1_PREFIX + "*", RESPONSES);

    /** The path of a request that arrived on one of {@link #ROUTES}. */
    static RequestPath of(String path) {
        if (path.startsWith(DEPLOYMENTS_PREFIX)) {
            String rest = path.substring(DEPLOYMENTS_PREFIX.length());
            int slash = rest.indexOf('/');
            return new RequestPath(PathStyle.DEPLOYMENTS, slash < 0 ? rest : rest.substring(0, slash),
                    slash < 0 ? "" : rest.substring(slash + 1));
        }
        if (path.startsWith(V1_PREFIX)) {
            return new RequestPath(PathStyle.V1, null, path.substring(V1_PREFIX.length()));
        }
        return new RequestPath(PathStyle.ROOT, null, Operation.RESPONSES.path());
    }
}
