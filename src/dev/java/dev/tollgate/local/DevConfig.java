package dev.tollgate.local;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The developer conveniences of the default run ({@code ./mvnw quarkus:dev}); all off in production. */
@ConfigMapping(prefix = "tollgate.dev")
public interface DevConfig {

    /** Print, at start-up, where the gateway listens, its backends, and a ready-to-paste request with a dev token. */
    @WithDefault("false")
    boolean banner();

    /** Where the dev token signing key pair lives (generated on first use). */
    @WithDefault("target/dev-keys")
    String keyDir();

    /** Where the self-signed HTTPS certificate lives (generated on first use). */
    @WithDefault("target/dev-tls")
    String tlsDir();

    /** The app id of the token the banner prints. */
    @WithDefault("11111111-2222-3333-4444-555555555555")
    String appId();

    /** How long the printed token stays valid. */
    @WithDefault("PT12H")
    Duration tokenLifetime();
}
