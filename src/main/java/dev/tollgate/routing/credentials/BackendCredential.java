package dev.tollgate.routing.credentials;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * How the gateway proves itself to a backend. One class per kind (an api-key, an Entra ID token); the caller's own
 * credentials never reach a backend. Called on the event loop for every upstream request: it must never block.
 */
public interface BackendCredential {

    /** Sets this credential's header(s) on the upstream request's headers; completes once they are set. */
    Future<Void> authorize(MultiMap headers);
}
