package dev.tollgate.admission;

import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The admission stage of the request path, between reading the request and routing it: whether this caller may spend
 * what the request asks for. Admits everything until limits exist.
 */
@ApplicationScoped
public class AdmissionStage {

    public boolean enter(RoutingContext context) {
        return true;
    }
}
