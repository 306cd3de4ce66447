package dev.tollgate.apps.graph;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.apps.DirectoryEntry;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Microsoft Graph's {@code GET /v1.0/servicePrincipals?$filter=appId eq '…'}, through an azure-core pipeline: the
 * token from the credential (cached and renewed by azure-core), retries that honour {@code Retry-After} on throttling
 * and server errors. Blocking: never call it on the request path.
 */
public final class GraphServicePrincipals {

    private static final String SELECT = "appId,displayName,appOwnerOrganizationId,tags";

    private final String endpoint;
    private final HttpPipeline pipeline;
    private final ObjectMapper mapper;

    /** @param httpClient the HTTP client, or null for azure-core's default (tests pass one that trusts their fake) */
    public GraphServicePrincipals(String endpoint, TokenCredential credential, HttpClient httpClient,
                                  ObjectMapper mapper) {
        this.endpoint = endpoint.replaceAll("/+$", "");
        this.mapper = mapper;
        // Graph's scope is its own endpoint's: https://graph.microsoft.com/.default, or a national cloud's.
        HttpPipelineBuilder builder = new HttpPipelineBuilder()
                .policies(new RetryPolicy(), new BearerTokenAuthenticationPolicy(credential, this.endpoint + "/.default"));
        if (httpClient != null) {
            builder.httpClient(httpClient);
        }
        this.pipeline = builder.build();
    }

    /** The service principal of the app id in the tenant, or empty if the directory has none. */
    public Optional<DirectoryEntry> byAppId(String appId) throws GraphException {
        // Only GUIDs are asked about (AppDirectory), so the quote doubling OData wants is belt and braces.
        String filter = "appId eq '" + appId.replace("'", "''") + "'";
        String url = endpoint + "/v1.0/servicePrincipals?$filter=" + encode(filter) + "&$select=" + SELECT;
        try (HttpResponse response = pipeline.sendSync(new HttpRequest(HttpMethod.GET, url)
                .setHeader("Accept", "application/json"), Context.NONE)) {
            String body = response.getBodyAsBinaryData().toString();
            if (response.getStatusCode() != 200) {
                throw new GraphException("Microsoft Graph answered " + response.getStatusCode() + " for app id "
                        + appId + ": " + body.substring(0, Math.min(body.length(), 300)));
            }
            JsonNode values = mapper.readTree(body).path("value");
            if (values.isEmpty()) {
                return Optional.empty();
            }
            JsonNode sp = values.get(0);
            List<String> tags = new ArrayList<>();
            sp.path("tags").forEach(tag -> tags.add(tag.asText()));
            return Optional.of(new DirectoryEntry(appId, text(sp, "displayName"), text(sp, "appOwnerOrganizationId"),
                    tags));
        } catch (IOException | RuntimeException e) {
            throw new GraphException("Could not look up app id " + appId + " in Microsoft Graph: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
