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
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.jwt.JsonWebToken;

import javax.crypto.SecretKey;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Validates caller tokens: for the gateway's {@link IdentityStage} ({@link #verify}, {@link #cached}), and for the
 * REST APIs as the parser SmallRye JWT's authentication mechanism uses (replaced here, {@link #parse}), so that
 * <ul>
 *   <li>on the gateway a token is verified once and then trusted until its {@code exp} (apps reuse an Entra token for
 *   up to an hour, so this saves an RSA verification on nearly every request), in a cache bounded in size
 *   ({@code token-cache-size}) and in time ({@code token-cache-ttl});</li>
 *   <li>both Entra issuers (v1 and v2) of a tenant are accepted.</li>
 * </ul>
 * Signature, audience, expiry and clock skew are still checked by SmallRye JWT's own parser. The cache is keyed by the
 * whole {@code Authorization} header as sent (the token, signature included, with its scheme), so only the exact token
 * that was verified is trusted; a token is cached only once every check has passed. Its own {@code exp}, not the
 * clock skew, ends its time in the cache: past it, the token is verified again (and accepted by the parser only within
 * the skew).
 *
 * <p>An entry holds the token's {@link Caller}, resolved once, and its {@code exp}: all the gateway's request path
 * needs, so a cached token costs one lookup, and an entry a few hundred bytes instead of the parsed token's claims
 * (docs/performance.md). The REST APIs, which need the parsed token for their roles and are not a hot path, verify
 * their token on every request.
 */
@Alternative
@Priority(1)
@Singleton
public class CachingJwtParser implements JWTParser {

    private static final String BEARER = "Bearer ";

    private final DefaultJWTParser delegate;
    private final CallerResolver callers;
    private final Set<String> issuers;
    private final Clock clock;
    private final Cache<String, Verified> verified;

    @Inject
    public CachingJwtParser(IdentityConfig config, CallerResolver callers) {
        this(config, callers, Clock.systemUTC());
    }

    /** With the clock the cache reads, so that a test can take a cached token past its expiry. */
    CachingJwtParser(IdentityConfig config, CallerResolver callers, Clock clock) {
        // A principal factory of its own: the default is a JVM-wide one whose key resolver (the JWKS and its refresh)
        // belongs to whichever parser used it first.
        this.delegate = new DefaultJWTParser(verification(config), new DefaultJWTCallerPrincipalFactory());
        this.callers = callers;
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
     * The token of an {@code Authorization} header's value, {@code Bearer <token>} (the scheme in any case), or null
     * when it holds none.
     */
    public static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }

    /**
     * The caller of an {@code Authorization} header whose bearer token was verified before, if it is in the cache and
     * not expired; null otherwise. A map lookup of the header's value as sent (no copy of the token is made for it),
     * cheap enough for the event loop, where {@link #verify(String)} of a new token may fetch keys (a JWKS URL).
     */
    public Caller cached(String authorization) {
        Verified entry = verified.getIfPresent(authorization);
        return entry != null && clock.millis() < entry.expiresAtMillis() ? entry.caller() : null;
    }

    /**
     * The caller of an {@code Authorization} header's bearer token, from the cache or verified now (blocking: a worker
     * thread) and then cached under the header's value.
     */
    public Caller verify(String authorization) throws ParseException {
        Caller cached = cached(authorization);
        if (cached != null) {
            return cached;
        }
        String token = bearerToken(authorization);
        if (token == null) {
            throw new ParseException("No bearer token");
        }
        JsonWebToken jwt = parse(token);
        Caller caller = callers.resolve(jwt);
        verified.put(authorization, new Verified(caller, TimeUnit.SECONDS.toMillis(jwt.getExpirationTime())));
        return caller;
    }

    /** Verifies the token, every time: signature, audience, expiry, then the issuer. */
    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken jwt = delegate.parse(token);
        if (!issuers.contains(jwt.getIssuer())) {
            throw new ParseException("Token issuer " + jwt.getIssuer() + " is not accepted");
        }
        return jwt;
    }

    /** The caller of a token that passed every check, and its {@code exp}, read once. */
    private record Verified(Caller caller, long expiresAtMillis) {

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
