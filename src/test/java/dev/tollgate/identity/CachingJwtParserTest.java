package dev.tollgate.identity;

import dev.tollgate.support.TestTokens;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The token cache on a clock of the test's own: how long a verified token is trusted, how many are kept, and that
 * nothing but the exact token that passed every check is ever trusted. Real tokens signed with the test key.
 */
class CachingJwtParserTest {

    private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    @Test
    void aCachedTokenIsTrustedUntilItsExpiryAndNotAtIt() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        Instant exp = clock.instant().plus(Duration.ofMinutes(10));
        String token = TestTokens.expiringAt(exp, "app-cache-exp");

        Caller caller = parser.verify(bearer(token));
        assertThat(parser.cached(bearer(token))).isSameAs(caller);
        clock.set(exp.minusMillis(1));
        assertThat(parser.cached(bearer(token))).isSameAs(caller);
        clock.set(exp);
        assertThat(parser.cached(bearer(token))).isNull();
    }

    /** Within the clock skew the parser still accepts an expired token, but only by verifying it every time. */
    @Test
    void aTokenPastItsExpiryIsNeverCachedEvenWhenTheSkewAcceptsIt() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.expiringAt(clock.instant().minusSeconds(20), "app-cache-skew");

        assertThat(parser.verify(bearer(token)).appId()).isEqualTo("app-cache-skew");
        assertThat(parser.cached(bearer(token))).isNull();
    }

    @Test
    void aCachedTokenIsVerifiedAgainAfterTheTtlWhateverItsExpiry() throws ParseException {
        CachingJwtParser parser = parser(Map.of("tollgate.identity.token-cache-ttl", "PT5M"));
        String token = TestTokens.v2("app-cache-ttl");

        Caller caller = parser.verify(bearer(token));
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(parser.cached(bearer(token))).isSameAs(caller);
        clock.advance(Duration.ofMillis(1));
        assertThat(parser.cached(bearer(token))).isNull();
    }

    @Test
    void theCacheHoldsAtMostItsSize() throws ParseException {
        CachingJwtParser parser = parser(Map.of("tollgate.identity.token-cache-size", "3"));
        String[] tokens = IntStream.range(0, 12).mapToObj(i -> TestTokens.v1("app-cache-size-" + i)).toArray(String[]::new);
        for (String token : tokens) {
            parser.verify(bearer(token));
        }
        long stillCached = IntStream.range(0, tokens.length).filter(i -> parser.cached(bearer(tokens[i])) != null)
                .count();
        assertThat(stillCached).isBetween(1L, 3L);
    }

    /** The issuer is checked after the signature: a token of a foreign tenant must not be cached between the two. */
    @Test
    void aRefusedTokenIsRefusedAgainAndNeverCached() {
        CachingJwtParser parser = parser(Map.of());
        String foreign = TestTokens.issuedBy("https://sts.windows.net/another-tenant/", "app-cache-foreign");
        String forged = TestTokens.forged("app-cache-forged");
        String audience = TestTokens.forAudience("api://someone-else", "app-cache-audience");
        String expired = TestTokens.expired("app-cache-expired");
        for (String token : new String[] {foreign, forged, audience, expired}) {
            assertThatThrownBy(() -> parser.verify(bearer(token))).isInstanceOf(ParseException.class);
            assertThatThrownBy(() -> parser.verify(bearer(token))).isInstanceOf(ParseException.class);
            assertThat(parser.cached(bearer(token))).isNull();
        }
    }

    /** The key is the whole token: the same header and claims under another signature are not the cached token. */
    @Test
    void anotherSignatureOnACachedTokensClaimsIsRefused() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.v1("app-cache-tampered");
        parser.verify(bearer(token));
        int signature = token.lastIndexOf('.') + 1;
        String tampered = token.substring(0, signature) + (token.charAt(signature) == 'A' ? 'B' : 'A')
                + token.substring(signature + 1);

        assertThat(parser.cached(bearer(tampered))).isNull();
        assertThatThrownBy(() -> parser.verify(bearer(tampered))).isInstanceOf(ParseException.class);
    }

    /** What the request path needs is resolved once, with the token: app, user and roles, as CallerResolver reads them. */
    @Test
    void theCacheHoldsTheTokensCaller() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String delegated = TestTokens.delegated("app-cache-caller", "user-oid-1");
        String withRoles = TestTokens.withRoles("app-cache-roles", TestTokens.READER_ROLE);

        parser.verify(bearer(delegated));
        parser.verify(bearer(withRoles));

        Caller user = parser.cached(bearer(delegated));
        assertThat(user.appId()).isEqualTo("app-cache-caller");
        assertThat(user.userId()).isEqualTo("user-oid-1");
        assertThat(user.tenantId()).isEqualTo(TestTokens.TENANT);
        assertThat(parser.cached(bearer(withRoles)).roles()).containsExactly(TestTokens.READER_ROLE);
        assertThat(parser.cached(bearer(withRoles)).userId()).isNull();
    }

    /** A valid token naming no app is cached too, so that its 403 costs a lookup, not a verification, each time. */
    @Test
    void aValidTokenNamingNoAppIsCachedWithoutAnAppId() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.withoutAppId();

        assertThat(parser.verify(bearer(token)).appId()).isNull();
        assertThat(parser.cached(bearer(token))).isNotNull();
    }

    /** The REST APIs' parse verifies every time and fills no cache: they need the parsed token, not the caller. */
    @Test
    void parseVerifiesWithoutCaching() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.v2("app-cache-rest");

        assertThat(parser.parse(token).getIssuer()).isEqualTo(TestTokens.V2_ISSUER);
        assertThat(parser.cached(bearer(token))).isNull();
        assertThatThrownBy(() -> parser.parse(TestTokens.forged("app-cache-rest"))).isInstanceOf(ParseException.class);
    }

    /** The cache is keyed by the header as sent: another spelling of it is verified on its own, never trusted. */
    @Test
    void onlyTheHeaderThatWasVerifiedIsTrustedFromTheCache() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.v2("app-cache-header");

        Caller caller = parser.verify(bearer(token));
        assertThat(parser.cached(bearer(token))).isSameAs(caller);
        assertThat(parser.cached(token)).as("the bare token").isNull();
        assertThat(parser.cached("bearer " + token)).as("the scheme in other case").isNull();
        assertThat(parser.verify("bEaReR  " + token + " ").appId()).isEqualTo("app-cache-header");
        assertThatThrownBy(() -> parser.verify(token)).as("no scheme").isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> parser.verify("Basic " + token)).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> parser.verify("Bearer   ")).isInstanceOf(ParseException.class);
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private CachingJwtParser parser(Map<String, String> overrides) {
        IdentityConfig config = IdentityConfigs.with(overrides);
        return new CachingJwtParser(config, new CallerResolver(config), clock);
    }

    /** A clock that moves only when the test says so. */
    private static final class TestClock extends Clock {

        private Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this; // only instants are read: the zone plays no part in them
        }
    }
}
