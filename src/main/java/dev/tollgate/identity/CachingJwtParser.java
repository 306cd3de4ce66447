package dev.tollgate.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Validates caller tokens: for the gateway's {@link IdentityStage} directly, and for the REST APIs as the parser
 * SmallRye JWT's authentication mechanism uses (replaced here), so that
 * <ul>
 *   <li>a token is verified once and then trusted until its {@code exp} (apps reuse an Entra token for up to an hour,
 *   so this saves an RSA verification on nearly every request), in a cache bounded in size
 *   ({@code token-cache-size}) and in time ({@code token-cache-ttl});</li>
 *   <li>both Entra issuers (v1 and v2) of a tenant are accepted.</li>
 * </ul>
 * Signature, audience, expiry and clock skew are still checked by SmallRye JWT's own parser. The cache is keyed by the
 * whole token string (signature included), so only the exact token that was verified is trusted; a token is cached
 * only once every check has passed. Its own {@code exp}, not the clock skew, ends its time in the cache: past it, the
 * token is verified again (and accepted by the parser only within the skew).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private final DefaultJWTParser delegate;
    private final Set<String> issuers;
    private final Clock clock;
    private final Cache<String, Verified> verified;

    @Inject
    public CachingJwtParser(IdentityConfig config) {
        this(config, Clock.systemUTC());
    }

    /** With the clock the cache reads, so that a test can take a cached token past its expiry. */
    CachingJwtParser(IdentityConfig config, Clock clock) {
        // A principal factory of its own: the default is a JVM-wide one whose key resolver (the JWKS and its refresh)
        // belongs to whichever parser used it first.
        this.delegate = new DefaultJWTParser(verification(config), new DefaultJWTCallerPrincipalFactory());
        this.issuers = Set.copyOf(config.issuers());
        this.clock = clock;
        long ttlNanos = config.tokenCacheTtl().toNanos();
        this.verified = Caffeine.newBuilder()
                .maximumSize(config.tokenCacheSize())
                .expireAfter(Expiry.<String, Verified>creating((token, entry) -> entry.trustedFor(clock, ttlNanos)))
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                // Evictions on the calling thread: a hand-off to another pool costs more than the eviction itself
                .executor(Runnable::run)
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
        Verified entry = verified.getIfPresent(token);
        return entry != null && clock.millis() < entry.expiresAtMillis() ? entry.jwt() : null;
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
        verified.put(token, new Verified(jwt, TimeUnit.SECONDS.toMillis(jwt.getExpirationTime())));
        return jwt;
    }

    /** A token that passed every check, and its {@code exp}, read once. */
    private record Verified(JsonWebToken jwt, long expiresAtMillis) {

        /** Until its expiry, at most the cache's TTL. */
        Duration trustedFor(Clock clock, long ttlNanos) {
            long untilExp = TimeUnit.MILLISECONDS.toNanos(expiresAtMillis - clock.millis());
            return Duration.ofNanos(Math.max(0, Math.min(untilExp, ttlNanos)));
        }
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
