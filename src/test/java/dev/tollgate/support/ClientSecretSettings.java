package dev.tollgate.support;

import dev.tollgate.routing.BackendsConfig;

import java.util.Optional;

/** Entra ID client-secret settings as the configuration would give them, for tests that build a credential. */
public record ClientSecretSettings(String tenant, String client, String secret, String authority)
        implements BackendsConfig.Entra {

    @Override
    public String kind() {
        return "client-secret";
    }

    @Override
    public Optional<String> tenantId() {
        return Optional.of(tenant);
    }

    @Override
    public Optional<String> clientId() {
        return Optional.of(client);
    }

    @Override
    public Optional<String> clientSecret() {
        return Optional.of(secret);
    }

    @Override
    public Optional<String> authorityHost() {
        return Optional.ofNullable(authority);
    }
}
