package dev.tollgate.routing.credentials;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One {@code authorize} made on a Vert.x context, as the gateway makes it, and how it ended. */
final class ContextCall {

    final Context context;
    final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    /** Completes once authorize has returned; true if its future was already complete then. */
    final CompletableFuture<Boolean> returned = new CompletableFuture<>();
    final CompletableFuture<AsyncResult<Void>> ended = new CompletableFuture<>();
    volatile Context endedOn;

    private ContextCall(Context context) {
        this.context = context;
    }

    /** Starts the call on the context; does not wait. */
    static ContextCall start(BackendCredential credential, Context context) {
        ContextCall call = new ContextCall(context);
        context.runOnContext(v -> {
            try {
                var future = credential.authorize(call.headers);
                call.returned.complete(future.isComplete());
                future.onComplete(result -> {
                    call.endedOn = Vertx.currentContext();
                    call.ended.complete(result);
                });
            } catch (Throwable t) {
                call.returned.completeExceptionally(t);
            }
        });
        return call;
    }

    /** Starts the call and waits until authorize has returned. */
    static ContextCall make(BackendCredential credential, Context context) {
        ContextCall call = start(credential, context);
        call.returnedAtOnce();
        return call;
    }

    /** Whether the header was set before authorize returned (the fast path: no waiting). */
    boolean returnedAtOnce() {
        return returned.orTimeout(10, TimeUnit.SECONDS).join();
    }

    AsyncResult<Void> outcome() {
        return ended.orTimeout(30, TimeUnit.SECONDS).join();
    }

    String authorization() {
        return headers.get("Authorization");
    }
}
