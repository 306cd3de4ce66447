package dev.tollgate.routing;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Applies the routing file ({@code tollgate.routing.file}) without a restart: it is checked every
 * {@code file-check-interval} on a worker thread, and read with SmallRye Config over the application's own sources, so
 * it uses the same keys, the same typed mappings and the same validation as {@code application.properties}
 * (expressions such as {@code ${AOAI_KEY}} included). A file that does not validate changes nothing and is logged.
 */
@ApplicationScoped
public class RoutingReloader {

    private static final Logger LOG = Logger.getLogger(RoutingReloader.class);
    /** Above every standard source: the routing file wins over application.properties and the environment. */
    private static final int FILE_ORDINAL = 500;

    private final PoolRegistry registry;
    private final RoutingConfig config;
    private final Vertx vertx;
    private FileTime lastModified;

    public RoutingReloader(PoolRegistry registry, RoutingConfig config, Vertx vertx) {
        this.registry = registry;
        this.config = config;
        this.vertx = vertx;
    }

    void watch(@Observes StartupEvent event) {
        config.file().ifPresent(file -> {
            reloadIfChanged(file);
            vertx.setPeriodic(config.fileCheckInterval().toMillis(),
                    id -> vertx.executeBlocking(() -> reloadIfChanged(file), false));
        });
    }

    /** Reads the routing file now and applies it; returns the number of pools. Throws, changing nothing, if invalid. */
    public synchronized int reload() {
        Path file = config.file().orElseThrow(() -> new IllegalStateException(
                "No routing file is configured (tollgate.routing.file)."));
        lastModified = modified(file);
        SmallRyeConfig routing = read(file);
        registry.replace(routing.getConfigMapping(BackendsConfig.class), routing.getConfigMapping(PoolsConfig.class));
        int pools = registry.pools().size();
        LOG.infof("Routing %s: %d pools", Files.exists(file) ? "reloaded from " + file : "reset (no " + file + ")", pools);
        return pools;
    }

    private synchronized Void reloadIfChanged(Path file) {
        if (Objects.equals(modified(file), lastModified)) {
            return null;
        }
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.errorf("The routing file %s was not applied, routing is unchanged: %s", file, e.getMessage());
        }
        return null;
    }

    private static SmallRyeConfig read(Path file) {
        SmallRyeConfig application = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        List<ConfigSource> sources = new ArrayList<>();
        application.getConfigSources().forEach(sources::add);
        if (Files.exists(file)) {
            try {
                sources.add(new PropertiesConfigSource(file.toUri().toURL(), FILE_ORDINAL));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the routing file " + file, e);
            }
        }
        return new SmallRyeConfigBuilder()
                .withProfiles(application.getProfiles())
                .addDefaultInterceptors()
                .withSources(sources)
                .withMapping(BackendsConfig.class)
                .withMapping(PoolsConfig.class)
                .build();
    }

    private static FileTime modified(Path file) {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
