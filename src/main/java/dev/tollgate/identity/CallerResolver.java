package dev.tollgate.identity;

import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;

/**
 * Turns a validated token into a {@link Caller}, once per token: {@link CachingJwtParser} keeps the caller with the
 * token. Everything it reads comes from the validated token, never from a header or the request body.
 */
@Startup // a bad users setting (hashed without a key) fails the start, not the first request
@Singleton
public class CallerResolver {

    /** Entra v2 access tokens name the client application here. */
    static final String V2_APP_ID = "azp";
    /** Entra v1 access tokens (those for https://cognitiveservices.azure.com) name it here. */
    static final String V1_APP_ID = "appid";
    /** Delegated tokens carry the scopes granted to the app for the signed-in user; app-only tokens never do. */
    static final String SCOPES = "scp";
    /** Optional claim: {@code app} for an app-only token, {@code user} for a delegated one. */
    static final String TOKEN_TYPE = "idtyp";

    private final UserIds userIds;

    public CallerResolver(IdentityConfig config) {
        this.userIds = UserIds.of(config.users());
    }

    /** The caller of a verified token; its {@code appId} is null when the token names none (refused with 403). */
    public Caller resolve(JsonWebToken jwt) {
        String appId = text(jwt, V2_APP_ID);
        if (appId == null) {
            appId = text(jwt, V1_APP_ID);
        }
        // A copy: the caller outlives the parsed token in the cache, which must not keep the token's claims alive.
        Set<String> roles = jwt.getGroups() == null ? Set.of() : Set.copyOf(jwt.getGroups());
        String objectId = text(jwt, "oid");
        return new Caller(appId, text(jwt, "tid"), objectId, roles,
                delegated(jwt) && objectId != null ? userIds.of(objectId) : null);
    }

    /**
     * Whether the token acts for a signed-in user: Entra puts the delegated permissions in {@code scp}, which
     * app-only tokens (client credentials, managed identities) never carry, and {@code idtyp}, where present, says
     * {@code app} for those. Their {@code oid} is then the app's own service principal, not a user.
     */
    private static boolean delegated(JsonWebToken jwt) {
        return text(jwt, SCOPES) != null && !"app".equals(text(jwt, TOKEN_TYPE));
    }

    /** A claim as plain text; SmallRye hands custom claims back as JSON values, whose toString() keeps the quotes. */
    private static String text(JsonWebToken jwt, String claim) {
        Object value = jwt.getClaim(claim);
        String text = value instanceof JsonString json ? json.getString() : value == null ? null : value.toString();
        return text == null || text.isBlank() ? null : text;
    }
}
