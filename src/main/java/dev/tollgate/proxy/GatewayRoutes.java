package dev.tollgate.proxy;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The AOAI-compatible routes, on the Vert.x router directly rather than through Quarkus REST: the proxy needs the raw
 * request and response streams, and nothing of REST's binding. Quarkus security has already run (proactive
 * authentication) when these handlers are called.
 */
@ApplicationScoped
public class GatewayRoutes {

    private static final String DEPLOYMENTS_PREFIX = "/openai/deployments/";
    private static final String V1_PREFIX = "/openai/v1/";
    /** The Azure SDKs' Responses API path: {@code /openai/responses?api-version=…}, deployment in the body. */
    private static final String RESPONSES = "/openai/responses";

    private final ProxyHandler proxy;
    private final ProxyConfig config;

    public GatewayRoutes(ProxyHandler proxy, ProxyConfig config) {
        this.proxy = proxy;
        this.config = config;
    }

    void register(@Observes Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxRequestBodyBytes());
        router.post(DEPLOYMENTS_PREFIX + "*").handler(body).handler(this::deployments);
        router.post(V1_PREFIX + "*").handler(body).handler(this::v1);
        router.post(RESPONSES).handler(body).handler(context ->
                proxy.handle(context, InboundRequest.PathStyle.ROOT, null, Operation.RESPONSES.path()));
    }

    private void deployments(RoutingContext context) {
        String rest = context.normalizedPath().substring(DEPLOYMENTS_PREFIX.length());
        int slash = rest.indexOf('/');
        String deployment = slash < 0 ? rest : rest.substring(0, slash);
        String operation = slash < 0 ? "" : rest.substring(slash + 1);
        proxy.handle(context, InboundRequest.PathStyle.DEPLOYMENTS, deployment, operation);
    }

    private void v1(RoutingContext context) {
        proxy.handle(context, InboundRequest.PathStyle.V1, null, context.normalizedPath().substring(V1_PREFIX.length()));
    }
}
