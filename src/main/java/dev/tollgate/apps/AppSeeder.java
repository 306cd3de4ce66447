package dev.tollgate.apps;

import dev.tollgate.apps.AppSeedParser.SeedLine;
import dev.tollgate.apps.AppsConfig.SeedMode;
import dev.tollgate.seeding.SeedFile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Registers the apps of the seed file ({@code tollgate.apps.seed-file}) once at start-up, all or none in one
 * transaction. A configured file that is absent or invalid fails the start: a seed file that silently did nothing
 * would show up only as apps missing from a month's chargeback.
 */
@ApplicationScoped
public class AppSeeder {

    private static final Logger LOG = Logger.getLogger(AppSeeder.class);

    /**
     * What seeding did.
     *
     * @param added     apps that were not registered
     * @param updated   registered apps given the file's values ({@code upsert})
     * @param unchanged registered apps that already had the file's values
     * @param kept      registered apps with other values, left as they were ({@code insert-missing})
     */
    public record Result(int added, int updated, int unchanged, List<String> kept) {
    }

    private final AppsConfig config;
    private final AppStore store;

    public AppSeeder(AppsConfig config, AppStore store) {
        this.config = config;
        this.store = store;
    }

    /** Applies the configured seed file, if any: at start, once the database is reachable. */
    public void seedConfigured() {
        config.seedFile().ifPresent(location -> seed(location, config.seedMode()));
    }

    /**
     * Reads the file (a path or {@code classpath:<resource>}) and applies it; throws, applying nothing, if it is
     * absent, unreadable ({@link dev.tollgate.seeding.SeedFileException}) or invalid ({@link AppSeedException}).
     */
    @Transactional
    public Result seed(String location, SeedMode mode) {
        List<SeedLine> lines = AppSeedParser.parse(location,
                SeedFile.read(location, "App seed file", "tollgate.apps.seed-file"));
        int added = 0;
        int updated = 0;
        int unchanged = 0;
        List<String> kept = new ArrayList<>();
        for (SeedLine line : lines) {
            AppStore.Put put = store.put(line.app(), mode == SeedMode.UPSERT);
            switch (put.outcome()) {
                case CREATED -> added++;
                case UPDATED -> updated++;
                case UNCHANGED -> unchanged++;
                case KEPT -> {
                    if (put.app().app().equals(line.app())) {
                        unchanged++;
                    } else {
                        kept.add(line.app().appId());
                    }
                }
            }
        }
        Result result = new Result(added, updated, unchanged, List.copyOf(kept));
        LOG.infof("App registry seeded from %s (%s): %d apps, %d added, %d updated, %d unchanged%s", location,
                mode.name().toLowerCase(Locale.ROOT).replace('_', '-'), lines.size(), added, updated, unchanged,
                kept.isEmpty() ? "" : ", " + kept.size() + " registered with other values and left as they are "
                        + "(seed-mode=upsert makes the file win): " + String.join(", ", kept));
        return result;
    }
}
