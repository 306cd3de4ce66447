package dev.tollgate.identity;

import dev.tollgate.support.TestTokens;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.util.HashMap;
import java.util.Map;

/** {@link IdentityConfig} for tests that build the identity classes without Quarkus: the test key and issuers. */
final class IdentityConfigs {

    private IdentityConfigs() {
    }

    static IdentityConfig with(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "tollgate.identity.key-location", "classpath:keys/test-public.pem",
                "tollgate.identity.issuers", TestTokens.V1_ISSUER + "," + TestTokens.V2_ISSUER,
                "tollgate.identity.audiences", TestTokens.AUDIENCE));
        properties.putAll(overrides);
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test"))
                .withMapping(IdentityConfig.class)
                .build().getConfigMapping(IdentityConfig.class);
    }
}
