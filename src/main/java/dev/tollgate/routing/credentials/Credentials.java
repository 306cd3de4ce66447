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
        return new EntraIdCredential(entra.kind(), TokenCredentials.of("tollgate.backends." + backendId + ".entra",
                entra, null),
                EntraIdCredential.DEFAULT_REFRESH_MARGIN);
    }
}
