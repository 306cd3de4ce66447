package dev.tollgate.local;

import dev.tollgate.identity.IdentityConfig;
import dev.tollgate.routing.PoolRegistry;
import dev.tollgate.routing.Target;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Tells a newcomer, once the gateway is up, where it listens, which backends it balances over, and gives a request
 * to paste, with a caller token signed by the dev key, so the first request takes one paste.
 */
@ApplicationScoped
public class StartupBanner {

    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    private final DevConfig dev;
    private final IdentityConfig identity;
    private final PoolRegistry pools;
    private final int httpPort;
    private final Optional<Integer> httpsPort;

    public StartupBanner(DevConfig dev, IdentityConfig identity, PoolRegistry pools,
                         @ConfigProperty(name = "quarkus.http.port") int httpPort,
                         @ConfigProperty(name = "quarkus.http.ssl-port") Optional<Integer> httpsPort) {
        this.dev = dev;
        this.identity = identity;
        this.pools = pools;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
    }

    void print(@Observes StartupEvent event) {
        if (!dev.banner()) {
            return;
        }
        DevKeys keys = DevKeys.ensure(Path.of(dev.keyDir()));
        Path callerToken = write(keys.directory().resolve("caller.token"), token(keys, List.of()));
        Path readerToken = write(keys.directory().resolve("reader.token"),
                token(keys, List.of(identity.roles().reader())));
        String backends = pools.pools().stream()
                .map(pool -> "    " + pool.deployment() + " -> " + pool.targets().stream()
                        .map(Target::backend).map(Object::toString).collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
        Path certificate = DevCertificate.ensure(Path.of(dev.tlsDir())).certificatePem();
        LOG.infof("""

                ===================================================================================================
                Tollgate is up: http://localhost:%1$d  https://localhost:%2$s (self-signed certificate: %3$s)
                Deployments and the backends that serve them (round-robin):
                %4$s

                Send a chat completion as app %5$s (paste as is):
                  curl -s 'http://localhost:%1$d/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21' \\
                    -H "Authorization: Bearer $(cat %6$s)" -H 'Content-Type: application/json' \\
                    -d '{"messages":[{"role":"user","content":"Hello, Tollgate!"}]}'
                Streamed: add "stream":true to the body and -N to curl. Over HTTPS: https://localhost:%2$s --cacert %3$s

                See what was metered (this token carries the role %8$s):
                  curl -s 'http://localhost:%1$d/api/chargeback?groupBy=app,model' -H "Authorization: Bearer $(cat %7$s)"
                ===================================================================================================
                """, httpPort, httpsPort.map(String::valueOf).orElse("(off)"), certificate, backends, dev.appId(),
                callerToken, readerToken, identity.roles().reader());
    }

    private static Path write(Path file, String token) {
        try {
            return Files.writeString(file, token);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the dev token to " + file, e);
        }
    }

    /** An Entra v1-shaped access token (what the Azure SDKs get for https://cognitiveservices.azure.com). */
    private String token(DevKeys keys, List<String> roles) {
        var builder = Jwt.issuer(identity.issuers().get(0))
                .audience(identity.audiences().get(0))
                .claim("appid", dev.appId())
                .claim("tid", "00000000-0000-0000-0000-000000000000")
                .claim("oid", dev.appId())
                .claim("ver", "1.0")
                .expiresIn(dev.tokenLifetime());
        if (!roles.isEmpty()) {
            builder.claim("roles", roles);
        }
        return builder.jws().keyId("tollgate-dev").sign(keys.privateKey());
    }
}
