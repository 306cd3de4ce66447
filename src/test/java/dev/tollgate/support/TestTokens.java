package dev.tollgate.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Caller tokens shaped like Entra ID's, signed with the test key the gateway trusts in the test profile
 * (src/test/resources/keys), or with a stranger's key to forge one.
 */
public final class TestTokens {

    public static final String TENANT = "72f988bf-0000-0000-0000-00000000test";
    public static final String V1_ISSUER = "https://sts.windows.net/" + TENANT + "/";
    public static final String V2_ISSUER = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
    public static final String AUDIENCE = "https://cognitiveservices.azure.com";
    /** The reader role: the default name (tollgate.identity.roles.reader). */
    public static final String READER_ROLE = "chargeback.reader";
    /**
     * The admin role: the test profile names it as an organisation would in its Entra app registration
     * (tollgate.identity.roles.admin), so every admin test also shows that role names are configuration.
     */
    public static final String ADMIN_ROLE = "Tollgate.Admin";

    private static final PrivateKey TRUSTED = load("/keys/test-private.pem");

    private TestTokens() {
    }

    /** A v1 token (claim {@code appid}), as the Azure SDKs get for cognitiveservices. */
    public static String v1(String appId) {
        return sign(claims(V1_ISSUER).claim("appid", appId).claim("ver", "1.0"));
    }

    /** A v2 token (claim {@code azp}). */
    public static String v2(String appId) {
        return sign(claims(V2_ISSUER).claim("azp", appId).claim("ver", "2.0"));
    }

    /**
     * A delegated v2 token: the app {@code appId} acting for the signed-in user {@code userOid} (claim {@code scp},
     * as Entra issues for the authorization-code and on-behalf-of flows; {@code idtyp} as the optional claim says).
     */
    public static String delegated(String appId, String userOid) {
        return sign(Jwt.issuer(V2_ISSUER).audience(AUDIENCE).claim("tid", TENANT).claim("oid", userOid)
                .claim("azp", appId).claim("ver", "2.0").claim("scp", "user_impersonation").claim("idtyp", "user")
                .expiresIn(Duration.ofHours(1)));
    }

    /** A delegated v1 token ({@code appid}, {@code scp}, no {@code idtyp}: it is an optional claim). */
    public static String delegatedV1(String appId, String userOid) {
        return sign(Jwt.issuer(V1_ISSUER).audience(AUDIENCE).claim("tid", TENANT).claim("oid", userOid)
                .claim("appid", appId).claim("ver", "1.0").claim("scp", "user_impersonation")
                .expiresIn(Duration.ofHours(1)));
    }

    /** An app-only v2 token that says so ({@code idtyp=app}); its {@code oid} is the app's service principal. */
    public static String appOnly(String appId, String servicePrincipalOid) {
        return sign(Jwt.issuer(V2_ISSUER).audience(AUDIENCE).claim("tid", TENANT).claim("oid", servicePrincipalOid)
                .claim("azp", appId).claim("ver", "2.0").claim("idtyp", "app").expiresIn(Duration.ofHours(1)));
    }

    /** A v1 token whose caller holds app roles. */
    public static String withRoles(String appId, String... roles) {
        return sign(claims(V1_ISSUER).claim("appid", appId).claim("roles", List.of(roles)));
    }

    /** A valid token that names no application. */
    public static String withoutAppId() {
        return sign(claims(V1_ISSUER));
    }

    public static String expired(String appId) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return sign(claims(V1_ISSUER).claim("appid", appId).issuedAt(past.minusSeconds(3600)).expiresAt(past));
    }

    /** A v1 token that expires at {@code exp} (issued an hour before). */
    public static String expiringAt(Instant exp, String appId) {
        return sign(claims(V1_ISSUER).claim("appid", appId).issuedAt(exp.minusSeconds(3600)).expiresAt(exp));
    }

    public static String issuedBy(String issuer, String appId) {
        return sign(claims(issuer).claim("appid", appId));
    }

    public static String forAudience(String audience, String appId) {
        return sign(Jwt.issuer(V1_ISSUER).audience(audience).claim("tid", TENANT).claim("appid", appId)
                .expiresIn(Duration.ofHours(1)));
    }

    /** Same claims as a good token, signed by a key the gateway has never seen. */
    public static String forged(String appId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return claims(V1_ISSUER).claim("appid", appId).jws().sign(generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JwtClaimsBuilder claims(String issuer) {
        return Jwt.issuer(issuer).audience(AUDIENCE).claim("tid", TENANT).claim("oid", "object-of-test")
                .expiresIn(Duration.ofHours(1));
    }

    private static String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("test").sign(TRUSTED);
    }

    private static PrivateKey load(String resource) {
        try (InputStream in = TestTokens.class.getResourceAsStream(resource)) {
            String pem = new String(in.readAllBytes())
                    .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.trim())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
