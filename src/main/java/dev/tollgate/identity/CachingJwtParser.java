package dev.tollgate.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Validates caller tokens: for the gateway's {@link IdentityStage} directly, and for the REST APIs as the parser
 * SmallRye JWT's authentication mechanism uses (replaced here), so that
 * <ul>
 *   <li>a token is verified once and then trusted until its {@code exp} (apps reuse an Entra token for up to an hour,
 *   so this saves an RSA verification on nearly every request), in a bounded cache;</li>
 *   <li>both Entra issuers (v1 and v2) of a tenant are accepted.</li>
 * </ul>
 * Signature, audience, expiry and clock skew are still checked by SmallRye JWT's own parser.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private final DefaultJWTParser delegate;
    private final Set<String> issuers;
    private final Cache<String, JsonWebToken> verified;

    public CachingJwtParser(IdentityConfig config) {
        this.delegate = new DefaultJWTParser(verification(config));
        this.issuers = Set.copyOf(config.issuers());
        long ttlNanos = config.tokenCacheTtl().toNanos();
        this.verified = Caffeine.newBuilder()
                .maximumSize(config.tokenCacheSize())
                .expireAfter(Expiry.<String, JsonWebToken>creating((token, jwt) -> untilExpiry(jwt, ttlNanos)))
                .build();
    }

    /**
     * What SmallRye JWT checks, built from {@link IdentityConfig} alone (not from {@code mp.jwt.*}, which Quarkus
     * fills with a generated dev key in dev and test mode). No issuer here: SmallRye JWT accepts only one.
     */
    private static JWTAuthContextInfo verification(IdentityConfig config) {
        JWTAuthContextInfo info = new JWTAuthContextInfo(config.keyLocation(), null);
        info.setExpectedAudience(Set.copyOf(config.audiences()));
        info.setClockSkew((int) config.clockSkew().toSeconds());
        info.setGroupsPath("roles");
        // The caller is named by appid/azp, not by a principal-name claim.
        info.setRequireNamedPrincipal(false);
        return info;
    }

    /**
     * The token as verified before, if it is in the cache and not expired; null otherwise. A map lookup, cheap
     * enough for the event loop, where {@link #parse(String)} of a new token may fetch keys (a JWKS URL).
     */
    public JsonWebToken cached(String token) {
        JsonWebToken cached = verified.getIfPresent(token);
        return cached != null && cached.getExpirationTime() > System.currentTimeMillis() / 1000 ? cached : null;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken cached = cached(token);
        if (cached != null) {
            return cached;
        }
        JsonWebToken jwt = delegate.parse(token);
        if (!issuers.contains(jwt.getIssuer())) {
            throw new ParseException("Token issuer " + jwt.getIssuer() + " is not accepted");
        }
        verified.put(token, jwt);
        return jwt;
    }

    private static Duration untilExpiry(JsonWebToken jwt, long ttlNanos) {
        long untilExp = TimeUnit.SECONDS.toNanos(jwt.getExpirationTime()) - TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        return Duration.ofNanos(Math.max(0, Math.min(untilExp, ttlNanos)));
    }

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
