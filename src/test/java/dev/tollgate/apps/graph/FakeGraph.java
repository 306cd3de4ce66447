package dev.tollgate.apps.graph;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft Graph's {@code GET /v1.0/servicePrincipals?$filter=appId eq '…'&$select=…} as the real one answers it:
 * the bearer token checked (the last one the fake Entra endpoint issued), a collection in {@code value} (empty when
 * no service principal has the app id), Graph's error shape, 429 with {@code Retry-After} when told to throttle.
 */
final class FakeGraph implements Handler<HttpServerRequest> {

    private static final Pattern FILTER = Pattern.compile("appId eq '([^']*)'");

    /** The service principals of the tenant, by app id. */
    final Map<String, JsonObject> principals = new ConcurrentHashMap<>();
    /** App ids Graph refuses (403), as for an identity without Application.Read.All. */
    final List<String> refused = new CopyOnWriteArrayList<>();
    /** Every request: its filter and select. */
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    /** How many of the next requests get 429. */
    final AtomicInteger throttleNext = new AtomicInteger();

    private final Supplier<String> validToken;

    FakeGraph(Supplier<String> validToken) {
        this.validToken = validToken;
    }

    void add(String appId, String displayName, String ownerTenant, String... tags) {
        principals.put(appId, new JsonObject().put("appId", appId).put("displayName", displayName)
                .put("appOwnerOrganizationId", ownerTenant).put("tags", new JsonArray(List.of(tags))));
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (!request.method().name().equals("GET") || !request.path().equals("/v1.0/servicePrincipals")) {
            error(request, 404, "Request_ResourceNotFound", "Resource not found for the segment.");
            return;
        }
        String filter = request.getParam("$filter");
        requests.add(Map.of("filter", String.valueOf(filter), "select", String.valueOf(request.getParam("$select"))));
        if (!("Bearer " + validToken.get()).equals(request.getHeader("Authorization"))) {
            error(request, 401, "InvalidAuthenticationToken", "Access token is empty or invalid.");
            return;
        }
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            request.response().putHeader("Retry-After", "1");
            error(request, 429, "TooManyRequests", "Too many requests.");
            return;
        }
        Matcher appId = FILTER.matcher(filter == null ? "" : filter);
        if (!appId.matches()) {
            error(request, 400, "Request_UnsupportedQuery", "Unsupported query.");
            return;
        }
        if (refused.contains(appId.group(1))) {
            error(request, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
            return;
        }
        JsonArray value = new JsonArray();
        JsonObject principal = principals.get(appId.group(1));
        if (principal != null) {
            value.add(principal.copy().put("id", "sp-" + appId.group(1)));
        }
        request.response().setStatusCode(200).putHeader("content-type", "application/json;odata.metadata=minimal")
                .end(new JsonObject()
                        .put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals")
                        .put("value", value).encode());
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        request.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message))
                        .encode());
    }
}
