package dev.tollgate.routing.credentials;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import dev.tollgate.routing.BackendsConfig;

import java.util.Optional;

/**
 * The azure-identity credential an Entra ID configuration names: for the backends ({@code tollgate.backends.<id>.entra})
 * and for Microsoft Graph ({@code tollgate.apps.graph.credential}), which configure it with the same keys.
 */
public final class TokenCredentials {

    private TokenCredentials() {
    }

    /**
     * @param keys       the configuration prefix of the settings, named in errors
     * @param entra      the settings: kind (managed-identity, workload-identity, client-secret or default), ids, secret
     * @param httpClient the HTTP client that reaches the authority, or null for azure-core's default (tests pass one
     *                   that trusts their fake)
     */
    public static TokenCredential of(String keys, BackendsConfig.Entra entra, HttpClient httpClient) {
        Optional<String> clientId = entra.clientId();
        return switch (entra.kind()) {
            case "managed-identity" -> {
                ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder();
                clientId.filter(id -> !id.isBlank()).ifPresent(builder::clientId); // user-assigned
                yield builder.build();
            }
            // AKS workload identity: the variables AKS sets (AZURE_TENANT_ID, AZURE_CLIENT_ID,
            // AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST); fails if they are missing.
            case "workload-identity" -> new WorkloadIdentityCredentialBuilder().build();
            case "client-secret" -> {
                ClientSecretCredentialBuilder builder = new ClientSecretCredentialBuilder()
                        .tenantId(required(keys, "tenant-id", entra.tenantId()))
                        .clientId(required(keys, "client-id", clientId))
                        .clientSecret(required(keys, "client-secret", entra.clientSecret()));
                // A host given is used as is, without instance discovery, which would ask the public cloud about it
                // (unreachable from a private cloud, and no help for a host the operator named).
                entra.authorityHost().filter(host -> !host.isBlank())
                        .ifPresent(host -> builder.authorityHost(host).disableInstanceDiscovery());
                if (httpClient != null) {
                    builder.httpClient(httpClient);
                }
                yield builder.build();
            }
            // Azure's default chain (environment, workload identity, managed identity, then developer tools).
            case "default" -> new DefaultAzureCredentialBuilder().build();
            default -> throw new IllegalStateException(keys + ".kind must be managed-identity, workload-identity, "
                    + "client-secret or default, not '" + entra.kind() + "'");
        };
    }

    private static String required(String keys, String key, Optional<String> value) {
        return value.orElseThrow(() -> new IllegalStateException("Entra ID kind client-secret needs " + keys + "."
                + key));
    }
}
