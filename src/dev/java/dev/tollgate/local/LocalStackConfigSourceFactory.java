package dev.tollgate.local;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.nio.file.Path;
import java.util.List;

/** Registers {@link LocalStackConfigSource} with the directories the configuration names. */
public final class LocalStackConfigSourceFactory implements ConfigSourceFactory {

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new LocalStackConfigSource(
                directory(context, "tollgate.embedded-db.data-dir", "target/embedded-pg"),
                directory(context, "tollgate.dev.key-dir", "target/dev-keys"),
                directory(context, "tollgate.dev.tls-dir", "target/dev-tls")));
    }

    private static Path directory(ConfigSourceContext context, String property, String fallback) {
        ConfigValue value = context.getValue(property);
        return Path.of(value == null || value.getValue() == null ? fallback : value.getValue());
    }
}
