package dev.tollgate.routing.credentials;

import dev.tollgate.routing.BackendsConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The credential each backend's configuration asks for, read through the real typed configuration mapping. */
class CredentialsTest {

    @Test
    void apiKeyIsTheDefault() {
        assertThat(credential("a", Map.of("tollgate.backends.a.url", "https://a.openai.azure.com",
                "tollgate.backends.a.api-key", "secret"))).hasToString("api-key");
    }

    @Test
    void entraIdClientSecret() {
        assertThat(credential("b", Map.of("tollgate.backends.b.url", "https://b.openai.azure.com",
                "tollgate.backends.b.auth", "entra-id",
                "tollgate.backends.b.entra.kind", "client-secret",
                "tollgate.backends.b.entra.tenant-id", "tenant",
                "tollgate.backends.b.entra.client-id", "client",
                "tollgate.backends.b.entra.client-secret", "shh"))).hasToString("entra-id(client-secret)");
    }

    @Test
    void entraIdManagedIdentity() {
        assertThat(credential("c", Map.of("tollgate.backends.c.url", "https://c.openai.azure.com",
                "tollgate.backends.c.auth", "entra-id",
                "tollgate.backends.c.entra.kind", "managed-identity"))).hasToString("entra-id(managed-identity)");
    }

    @Test
    void missingPiecesAreNamed() {
        assertThatThrownBy(() -> credential("d", Map.of("tollgate.backends.d.url", "https://d.openai.azure.com")))
                .hasMessageContaining("tollgate.backends.d.api-key");
        assertThatThrownBy(() -> credential("e", Map.of("tollgate.backends.e.url", "https://e.openai.azure.com",
                "tollgate.backends.e.auth", "entra-id", "tollgate.backends.e.entra.kind", "client-secret")))
                .hasMessageContaining("tollgate.backends.e.entra.tenant-id");
        assertThatThrownBy(() -> credential("f", Map.of("tollgate.backends.f.url", "https://f.openai.azure.com",
                "tollgate.backends.f.auth", "entra-id", "tollgate.backends.f.entra.kind", "certificate")))
                .hasMessageContaining("managed-identity, workload-identity, client-secret or default");
    }

    private static BackendCredential credential(String id, Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test"))
                .withMapping(BackendsConfig.class)
                .build();
        return Credentials.of(id, config.getConfigMapping(BackendsConfig.class).all().get(id));
    }
}
