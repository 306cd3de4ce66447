package dev.tollgate.apps;

import dev.tollgate.apps.AppSeedParser.SeedLine;
import dev.tollgate.apps.AppsConfig.SeedMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
    private static final String CLASSPATH = "classpath:";

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

    /** Reads the file (a path or {@code classpath:<resource>}) and applies it; throws, applying nothing, if invalid. */
    @Transactional
    public Result seed(String location, SeedMode mode) {
        List<SeedLine> lines = AppSeedParser.parse(location, read(location));
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

    private static String read(String location) {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length()).replaceFirst("^/", "");
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new AppSeedException("App seed file " + location + " does not exist: no resource "
                            + resource + " on the classpath (tollgate.apps.seed-file).");
                }
                return utf8(location, in.readAllBytes());
            } catch (IOException e) {
                throw new AppSeedException("App seed file " + location + " cannot be read: " + e, e);
            }
        }
        Path file = Path.of(location);
        try {
            return utf8(location, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new AppSeedException("App seed file " + location + " does not exist (tollgate.apps.seed-file; "
                    + "looked for " + file.toAbsolutePath() + ").");
        } catch (IOException e) {
            throw new AppSeedException("App seed file " + location + " cannot be read: " + e, e);
        }
    }

    /** The text, or an error naming the line of the first byte that is not UTF-8 (Excel's plain "CSV" is not). */
    private static String utf8(String location, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input, never replaces it
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new AppSeedException("App seed file " + location + ", line " + line + ": the file is not UTF-8. "
                    + "Save it as \"CSV UTF-8\".");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
