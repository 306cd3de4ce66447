package dev.tollgate.gateway;

import dev.tollgate.request.RequestStage;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.http.runtime.security.SecurityHandlerPriorities;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's routes come before Quarkus security's handlers on the router the app runs with, so that those never
 * run for a gateway request; the REST APIs keep them (RoleNamesTest, CallerAuthenticationTest).
 */
@QuarkusTest
class GatewayRouteOrderTest {

    @Inject
    RouterSeen seen;

    @Test
    void everyGatewayRouteRunsAheadOfQuarkusAuthentication() {
        List<Route> routes = seen.router().getRoutes();
        // Quarkus installs its security handlers as routes ordered at minus their priority
        int authentication = -SecurityHandlerPriorities.AUTHENTICATION;
        int authorization = -SecurityHandlerPriorities.AUTHORIZATION;
        assertThat(routes).extracting(GatewayRouteOrderTest::orderOf).contains(authentication, authorization);
        // Vert.x reports a prefix route's path without its '*'; routes without a path (Quarkus' handlers for every
        // request) are none of the gateway's.
        List<String> paths = RequestStage.routes().stream().map(path -> path.replaceFirst("\\*$", "")).toList();
        List<Route> gateway = routes.stream()
                .filter(route -> route.getPath() != null && paths.contains(route.getPath())).toList();

        assertThat(gateway).hasSize(RequestStage.routes().size());
        assertThat(gateway).allSatisfy(route -> assertThat(orderOf(route)).isLessThan(authentication));
    }

    /** Vert.x Web keeps a route's order to itself. */
    private static int orderOf(Route route) {
        try {
            Method order = route.getClass().getDeclaredMethod("order");
            order.setAccessible(true);
            return (int) order.invoke(route);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Vert.x Web's Route has no order() any more", e);
        }
    }

    /** The router the app's routes were registered on. */
    @ApplicationScoped
    static class RouterSeen {

        private Router router;

        void observe(@Observes Router router) {
            this.router = router;
        }

        /** Through a method: a field read on the injected client proxy would not reach the bean. */
        Router router() {
            return router;
        }
    }
}
