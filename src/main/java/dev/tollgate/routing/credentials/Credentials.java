package dev.tollgate.routing.credentials;

import dev.tollgate.routing.BackendsConfig;

/** Makes the credential a backend's configuration asks for. */
public final class Credentials {

    private Credentials() {
    }

    public static BackendCredential of(String backendId, BackendsConfig.Backend config) {
        return switch (config.auth()) {
            case API_KEY -> new ApiKeyCredential(config.apiKey().orElseThrow(() -> new IllegalStateException(
                    "Backend " + backendId + " uses auth api-key but sets no tollgate.backends." + backendId + ".api-key")));
            case ENTRA_ID -> entra(backendId, config.entra());
        };
    }

    private static BackendCredential entra(String backendId, BackendsConfig.Entra entra) {
        return switch (entra.kind()) {
            case "managed-identity" -> EntraIdCredential.managedIdentity(entra.clientId().orElse(null));
            case "workload-identity" -> EntraIdCredential.workloadIdentity();
            case "client-secret" -> EntraIdCredential.clientSecret(
                    required(backendId, "tenant-id", entra.tenantId()), required(backendId, "client-id", entra.clientId()),
                    required(backendId, "client-secret", entra.clientSecret()), entra.authorityHost().orElse(null));
            case "default" -> EntraIdCredential.defaultAzureCredential();
            default -> throw new IllegalStateException("Backend " + backendId + ": tollgate.backends." + backendId
                    + ".entra.kind must be managed-identity, workload-identity, client-secret or default, not '"
                    + entra.kind() + "'");
        };
    }

    private static String required(String backendId, String key, java.util.Optional<String> value) {
        return value.orElseThrow(() -> new IllegalStateException("Backend " + backendId + " uses Entra ID kind "
                + "client-secret but sets no tollgate.backends." + backendId + ".entra." + key));
    }
}
