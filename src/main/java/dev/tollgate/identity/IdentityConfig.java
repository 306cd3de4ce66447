package dev.tollgate.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How caller tokens are validated: by SmallRye JWT's parser (signature, audience, expiry) configured from here, plus
 * the issuer check of {@link CachingJwtParser}, because Entra issues v1 and v2 tokens with different issuers and
 * SmallRye JWT accepts only one.
 */
@ConfigMapping(prefix = "tollgate.identity")
public interface IdentityConfig {

    /**
     * Where the token signing keys are: a JWKS URL (Entra:
     * {@code https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys}) or a PEM public key file.
     */
    String keyLocation();

    /**
     * Accepted token issuers, e.g. {@code https://sts.windows.net/<tenant>/} (v1 tokens) and
     * {@code https://login.microsoftonline.com/<tenant>/v2.0} (v2 tokens).
     */
    List<String> issuers();

    /** Accepted audiences, e.g. {@code https://cognitiveservices.azure.com} as the Azure SDKs request. */
    List<String> audiences();

    /** Tolerated difference between the token issuer's clock and ours, for {@code exp} and {@code nbf}. */
    @WithDefault("PT60S")
    Duration clockSkew();

    /** How many verified tokens to keep; a token is verified once and then trusted until it expires. */
    @WithDefault("10000")
    int tokenCacheSize();

    /** The longest a verified token is trusted without being verified again, whatever its expiry. */
    @WithDefault("PT1H")
    Duration tokenCacheTtl();

    /**
     * How many new (uncached) tokens the gateway verifies at once on worker threads; a request with a new token past
     * it is refused with 503 at once, so that a flood of distinct (e.g. invalid) tokens cannot queue without limit on
     * the worker pool the REST APIs and the database share. A cached token is never counted.
     */
    @WithDefault("64")
    int maxVerificationsInFlight();

    /** The names of the app roles (the token's {@code roles} claim) that the report and admin APIs require. */
    RoleNames roles();

    /** How the signed-in user of delegated tokens is recorded with each request's usage. */
    Users users();

    /**
     * The user of a delegated token (one with {@code scp}, not {@code idtyp=app}) is its {@code oid}; app-only tokens
     * have none. See docs/chargeback.md#per-user-drill-down.
     */
    interface Users {

        /** {@code raw}: the object id as it is; {@code hashed}: HMAC-SHA256 of it under {@link #hashKey()}. */
        @WithDefault("raw")
        Mode mode();

        /** The secret key of {@code hashed} (at least 32 bytes); changing it gives every user a new id. */
        Optional<String> hashKey();

        enum Mode {
            RAW, HASHED
        }
    }

    /** App role names, as defined in the organisation's Entra app registration for Tollgate. */
    interface RoleNames {

        /** May read chargeback reports and budgets ({@code /api/chargeback}, {@code /api/budgets}). */
        @WithDefault("chargeback.reader")
        String reader();

        /** May change routing, the app registry, prices and limits ({@code /api/backends}, {@code /api/apps}, …). */
        @WithDefault("tollgate.admin")
        String admin();
    }
}
