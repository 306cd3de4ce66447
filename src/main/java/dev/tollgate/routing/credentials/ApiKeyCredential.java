package dev.tollgate.routing.credentials;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/** The backend's key, sent as {@code api-key}. */
public final class ApiKeyCredential implements BackendCredential {

    private final String key;

    public ApiKeyCredential(String key) {
        this.key = key;
    }

    @Override
    public Future<Void> authorize(MultiMap headers) {
        headers.set("api-key", key);
        return Future.succeededFuture();
    }

    @Override
    public String toString() {
        return "api-key";
    }
}
