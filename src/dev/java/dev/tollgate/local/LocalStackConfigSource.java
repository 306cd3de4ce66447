package dev.tollgate.local;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Supplies the values of the local stack (embedded database URL, dev signing key, dev TLS certificate) on demand.
 *
 * <p>Each value is computed the first time configuration asks for it, so nothing starts unless a property that is
 * actually in use asks for it. {@code application.properties} says {@code tollgate.db.url=${TOLLGATE_DB_URL}} and this
 * source answers {@code TOLLGATE_DB_URL} below the environment, so an external database never starts the embedded one.
 * The production artifact has no such source, and does not start without {@code TOLLGATE_DB_URL}.
 */
final class LocalStackConfigSource implements ConfigSource {

    static final String DB_URL = "TOLLGATE_DB_URL";
    static final String PUBLIC_KEY = "tollgate.local.public-key-location";
    static final String TLS_KEY_STORE = "tollgate.local.tls-key-store";

    private final Map<String, Supplier<String>> values;

    LocalStackConfigSource(Path databaseDirectory, Path keyDirectory, Path tlsDirectory) {
        this.values = Map.of(
                DB_URL, () -> EmbeddedDatabase.startOrGet(databaseDirectory).jdbcUrl(),
                PUBLIC_KEY, () -> DevKeys.ensure(keyDirectory).publicKeyFile().toString(),
                TLS_KEY_STORE, () -> DevCertificate.ensure(tlsDirectory).keyStore().toString());
    }

    /**
     * Deliberately empty: Quarkus reads the value of every listed name while it builds the application, which would
     * start the database at build time. Unlisted names are still found when a property refers to them.
     */
    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public String getValue(String propertyName) {
        Supplier<String> value = values.get(propertyName);
        return value == null ? null : value.get();
    }

    @Override
    public String getName() {
        return "tollgate-local-stack";
    }

    @Override
    public int getOrdinal() {
        // Below application.properties (250): these are fallbacks an operator never has to override.
        return 150;
    }
}
