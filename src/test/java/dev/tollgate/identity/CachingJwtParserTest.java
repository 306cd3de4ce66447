package dev.tollgate.identity;

import dev.tollgate.support.TestTokens;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
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

        JsonWebToken jwt = parser.parse(token);
        assertThat(parser.cached(token)).isSameAs(jwt);
        clock.set(exp.minusMillis(1));
        assertThat(parser.cached(token)).isSameAs(jwt);
        clock.set(exp);
        assertThat(parser.cached(token)).isNull();
    }

    /** Within the clock skew the parser still accepts an expired token, but only by verifying it every time. */
    @Test
    void aTokenPastItsExpiryIsNeverCachedEvenWhenTheSkewAcceptsIt() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.expiringAt(clock.instant().minusSeconds(20), "app-cache-skew");

        assertThat(parser.parse(token).getClaim("appid").toString()).contains("app-cache-skew");
        assertThat(parser.cached(token)).isNull();
    }

    @Test
    void aCachedTokenIsVerifiedAgainAfterTheTtlWhateverItsExpiry() throws ParseException {
        CachingJwtParser parser = parser(Map.of("tollgate.identity.token-cache-ttl", "PT5M"));
        String token = TestTokens.v2("app-cache-ttl");

        JsonWebToken jwt = parser.parse(token);
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(parser.cached(token)).isSameAs(jwt);
        clock.advance(Duration.ofMillis(1));
        assertThat(parser.cached(token)).isNull();
    }

    @Test
    void theCacheHoldsAtMostItsSize() throws ParseException {
        CachingJwtParser parser = parser(Map.of("tollgate.identity.token-cache-size", "3"));
        String[] tokens = IntStream.range(0, 12).mapToObj(i -> TestTokens.v1("app-cache-size-" + i)).toArray(String[]::new);
        for (String token : tokens) {
            parser.parse(token);
        }
        long stillCached = IntStream.range(0, tokens.length).filter(i -> parser.cached(tokens[i]) != null).count();
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
            assertThatThrownBy(() -> parser.parse(token)).isInstanceOf(ParseException.class);
            assertThatThrownBy(() -> parser.parse(token)).isInstanceOf(ParseException.class);
            assertThat(parser.cached(token)).isNull();
        }
    }

    /** The key is the whole token: the same header and claims under another signature are not the cached token. */
    @Test
    void anotherSignatureOnACachedTokensClaimsIsRefused() throws ParseException {
        CachingJwtParser parser = parser(Map.of());
        String token = TestTokens.v1("app-cache-tampered");
        parser.parse(token);
        int signature = token.lastIndexOf('.') + 1;
        String tampered = token.substring(0, signature) + (token.charAt(signature) == 'A' ? 'B' : 'A')
                + token.substring(signature + 1);

        assertThat(parser.cached(tampered)).isNull();
        assertThatThrownBy(() -> parser.parse(tampered)).isInstanceOf(ParseException.class);
    }

    private CachingJwtParser parser(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "tollgate.identity.key-location", "classpath:keys/test-public.pem",
                "tollgate.identity.issuers", TestTokens.V1_ISSUER + "," + TestTokens.V2_ISSUER,
                "tollgate.identity.audiences", TestTokens.AUDIENCE));
        properties.putAll(overrides);
        IdentityConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test"))
                .withMapping(IdentityConfig.class)
                .build().getConfigMapping(IdentityConfig.class);
        return new CachingJwtParser(config, clock);
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
            throw new UnsupportedOperationException();
        }
    }
}
