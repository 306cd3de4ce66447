package dev.tollgate.pricing;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A served model's name split into the family and version prices are kept by: AOAI answers with names such as
 * {@code gpt-4o-2024-08-06}, {@code gpt-35-turbo-0125} or {@code text-embedding-3-small} (no version).
 *
 * @param family  e.g. {@code gpt-4o}
 * @param version e.g. {@code 2024-08-06} or {@code 0125}; empty when the name carries none
 */
public record ModelName(String family, Optional<String> version) {

    /** A trailing date (2024-08-06) or the older four-digit form (0613, 1106). */
    private static final Pattern VERSIONED = Pattern.compile("^(.+?)-(\\d{4}-\\d{2}-\\d{2}|\\d{4})$");
    /**
     * Names seen before: a gateway serves a handful of models and deployments, and the writer prices every record by
     * one, admission finds the family of every limited request's deployment. Bounded: names come from callers too.
     */
    private static final Map<String, ModelName> PARSED = new ConcurrentHashMap<>();
    private static final int MAX_PARSED = 10_000;

    /** {@link #parse}, remembered for the first ten thousand names. */
    public static ModelName of(String served) {
        ModelName known = PARSED.get(served);
        if (known != null) {
            return known;
        }
        ModelName parsed = parse(served);
        if (PARSED.size() < MAX_PARSED) {
            PARSED.put(served, parsed);
        }
        return parsed;
    }

    public static ModelName parse(String served) {
        String name = served.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = VERSIONED.matcher(name);
        return matcher.matches()
                ? new ModelName(matcher.group(1), Optional.of(matcher.group(2)))
                : new ModelName(name, Optional.empty());
    }
}
