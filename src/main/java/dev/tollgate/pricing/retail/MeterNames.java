package dev.tollgate.pricing.retail;

import dev.tollgate.routing.DeploymentType;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a model, version, deployment type and token kind out of an Azure OpenAI meter's name. The names are
 * abbreviated, and not consistently: {@code gpt-4o-0806-Inp-glbl}, {@code gpt 4o 0806 cached Inp Data Zone},
 * {@code o3 mini 0131 cached input regnl}, {@code GPT 5 Mini cchd Inpt Glbl}, {@code 5.4 cd inp Gl},
 * {@code text-embedding-3-small-glbl}. So the name is cut into words (at spaces, hyphens and underscores) and each
 * word is recognised as a token kind, a deployment type, a version (MMDD) or a qualifier; what is left, in order,
 * is the model family. See {@code docs/retail-prices.md}. The reconciliation with Azure's cost exports reads their
 * meter names with it too, so a bill's meter and a catalog row mean the same model the same way.
 */
public final class MeterNames {

    /** Which price of a model a meter is. */
    public enum Component {
        INPUT("input"), CACHED_INPUT("cached input"), OUTPUT("output");

        public final String label;

        Component(String label) {
            this.label = label;
        }
    }

    /** What a meter name says. */
    public record Name(String family, Optional<String> version, DeploymentType deploymentType, Component component) {
    }

    /** A name made into a {@link Name}, or the reason it could not be. */
    public sealed interface Result permits Parsed, Rejected {
    }

    public record Parsed(Name name) implements Result {
    }

    public record Rejected(String reason) implements Result {
    }

    private static final Pattern WORD_BREAK = Pattern.compile("[\\s\\-_/()*,]+");
    private static final Pattern FAMILY = Pattern.compile("[a-z0-9][a-z0-9.\\-]*");
    private static final Pattern CONTEXT_SIZE = Pattern.compile(".*\\d+k");
    private static final Pattern FOUR_DIGITS = Pattern.compile("\\d{4}");
    private static final Pattern EIGHT_DIGITS = Pattern.compile("\\d{8}");

    private static final Set<String> CACHED = Set.of("cached", "cchd", "cd", "chd", "cache");
    private static final Set<String> INPUT = Set.of("inp", "inpt", "input", "in");
    private static final Set<String> OUTPUT = Set.of("outp", "outpt", "output", "out", "opt", "otpt");
    private static final Set<String> GLOBAL = Set.of("glbl", "global", "gl", "globl", "glb");
    private static final Set<String> DATA_ZONE = Set.of("dzone", "dz", "datazone", "dzn");
    private static final Set<String> REGIONAL = Set.of("regnl", "regional", "rgnl", "regn", "reg", "rgn");
    /** Words that say nothing about the price: units, the standard tier, the "Az-" prefix of old meters. */
    private static final Set<String> NOISE = Set.of("tokens", "token", "1k", "1m", "std", "standard", "shortco", "az");

    /** Families whose served names keep the old four-digit version (gpt-35-turbo-0125), see ModelName. */
    private static final Set<String> FOUR_DIGIT_VERSION_FAMILIES = Set.of("gpt-35-turbo", "gpt-35-turbo-16k", "gpt-4",
            "gpt-4-32k");

    /** Meter names that differ from the served model's family. */
    private static final Map<String, String> FAMILY_ALIASES = Map.of(
            "embedding-ada", "text-embedding-ada-002",
            "text-embedding-ada", "text-embedding-ada-002");

    /**
     * Versions whose year is known, keyed by family and the meter's MMDD. Other MMDD versions get the latest year
     * that puts them no more than {@link #VERSION_LEAD_DAYS} after the price's start (a version's meter is published
     * around its release).
     */
    private static final Map<String, String> KNOWN_VERSIONS = Map.ofEntries(
            Map.entry("gpt-4o 0513", "2024-05-13"),
            Map.entry("gpt-4o 0806", "2024-08-06"),
            Map.entry("gpt-4o 1120", "2024-11-20"),
            Map.entry("gpt-4o-mini 0718", "2024-07-18"),
            Map.entry("o1 1217", "2024-12-17"),
            Map.entry("o1-mini 0912", "2024-09-12"),
            Map.entry("o1-preview 0912", "2024-09-12"),
            Map.entry("o3-mini 0131", "2025-01-31"),
            Map.entry("o3 0416", "2025-04-16"),
            Map.entry("o4-mini 0416", "2025-04-16"),
            Map.entry("gpt-4.5 0227", "2025-02-27"));

    static final int VERSION_LEAD_DAYS = 92;

    /** Kinds of meter that are not token prices for the catalog, by a word that gives them away. */
    private record Ignored(String reason, List<String> words, List<String> prefixes) {
    }

    private static final List<Ignored> IGNORED = List.of(
            new Ignored("provisioned throughput (billed per PTU, not per token)", List.of("provisioned", "ptu"),
                    List.of()),
            new Ignored("batch price (Global/Data Zone Batch deployments)", List.of(), List.of("batch")),
            new Ignored("fine-tuning (training, hosting or fine-tuned model)",
                    List.of("ft", "finetune", "finetuning", "fine", "tuning", "training", "hosting", "grader",
                            "developer"), List.of()),
            new Ignored("image or video generation", List.of("image", "images", "img", "dall", "dalle", "sora",
                    "video"), List.of()),
            new Ignored("audio or realtime", List.of("tts", "whisper", "trscb", "transcribe", "transcription", "rt",
                    "speech", "voice"), List.of("aud", "realtime")),
            new Ignored("long-context tier", List.of("long"), List.of("longco")),
            new Ignored("priority processing", List.of("pp", "priority"), List.of()),
            new Ignored("flex processing", List.of("flex"), List.of()),
            new Ignored("cache write", List.of("wr", "write"), List.of()));

    private MeterNames() {
    }

    /** Why a meter is deliberately not imported, judged from its SKU and meter names; empty if it may be. */
    public static Optional<String> ignoredReason(String skuName, String meterName) {
        List<String> words = words(skuName + " " + meterName);
        for (Ignored ignored : IGNORED) {
            for (String word : words) {
                if (ignored.words.contains(word) || ignored.prefixes.stream().anyMatch(word::startsWith)) {
                    return Optional.of(ignored.reason);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The model, version, deployment type and token kind of a meter. {@code name} is the SKU name (the meter name
     * without its unit), or the meter name when the SKU name is empty; {@code priceStart} dates MMDD versions.
     */
    public static Result parse(String name, LocalDate priceStart) {
        List<String> words = words(name);
        List<String> parts = new ArrayList<>();
        Component component;
        boolean cached = false;
        boolean input = false;
        boolean output = false;
        DeploymentType deploymentType = null;
        String versionWord = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            DeploymentType type = null;
            if (GLOBAL.contains(word)) {
                type = DeploymentType.GLOBAL;
            } else if (DATA_ZONE.contains(word)) {
                type = DeploymentType.DATA_ZONE;
            } else if (word.equals("data") && i + 1 < words.size() && words.get(i + 1).equals("zone")) {
                type = DeploymentType.DATA_ZONE;
                i++;
            } else if (REGIONAL.contains(word)) {
                type = DeploymentType.REGIONAL;
            }
            if (type != null) {
                if (deploymentType != null && deploymentType != type) {
                    return new Rejected("names two deployment types (" + deploymentType + ", " + type + ")");
                }
                deploymentType = type;
            } else if (CACHED.contains(word)) {
                cached = true;
            } else if (INPUT.contains(word)) {
                input = true;
            } else if (OUTPUT.contains(word)) {
                output = true;
            } else if (NOISE.contains(word)) {
                continue;
            } else if (versionWord == null && isVersion(word)) {
                versionWord = word;
            } else {
                parts.add(word);
            }
        }
        if (parts.isEmpty()) {
            return new Rejected("no model name in '" + name + "'");
        }
        if (Character.isDigit(parts.get(0).charAt(0))) {
            parts.add(0, "gpt");
        }
        for (String part : parts) {
            if (CONTEXT_SIZE.matcher(part).matches()) {
                return new Rejected("names a context size ('" + part + "'), as gpt-35-turbo and gpt-4 meters do;"
                        + " served model names do not say which applies, so price these by hand");
            }
        }
        String family = String.join("-", parts);
        family = FAMILY_ALIASES.getOrDefault(family, family);
        if (!FAMILY.matcher(family).matches()) {
            return new Rejected("'" + family + "' is not a model name");
        }
        if (cached && output || input && output) {
            return new Rejected("names both input and output");
        }
        if (cached) {
            component = Component.CACHED_INPUT;
        } else if (input) {
            component = Component.INPUT;
        } else if (output) {
            component = Component.OUTPUT;
        } else if (isEmbedding(family)) {
            component = Component.INPUT;
        } else {
            return new Rejected("says neither input, cached input nor output");
        }
        Optional<String> version = Optional.empty();
        if (versionWord != null) {
            version = version(family, versionWord, priceStart);
            if (version.isEmpty()) {
                return new Rejected("version '" + versionWord + "' is not a date");
            }
        }
        return new Parsed(new Name(family, version, deploymentType == null ? DeploymentType.REGIONAL : deploymentType,
                component));
    }

    /** Embedding models have input tokens only: their meters name no kind, and their output is free. */
    static boolean isEmbedding(String family) {
        return family.contains("embedding");
    }

    private static List<String> words(String text) {
        return Arrays.stream(WORD_BREAK.split(text.trim().toLowerCase(Locale.ROOT)))
                .filter(word -> !word.isEmpty())
                .toList();
    }

    private static boolean isVersion(String word) {
        if (FOUR_DIGITS.matcher(word).matches()) {
            return monthDay(word).isPresent();
        }
        return EIGHT_DIGITS.matcher(word).matches() && eightDigitDate(word).isPresent();
    }

    private static Optional<String> version(String family, String word, LocalDate priceStart) {
        if (word.length() == 8) {
            return eightDigitDate(word).map(LocalDate::toString);
        }
        if (FOUR_DIGIT_VERSION_FAMILIES.contains(family)) {
            return Optional.of(word);
        }
        String known = KNOWN_VERSIONS.get(family + " " + word);
        if (known != null) {
            return Optional.of(known);
        }
        int[] monthDay = monthDay(word).orElseThrow();
        LocalDate latest = priceStart.plusDays(VERSION_LEAD_DAYS);
        for (int year = latest.getYear(); year >= latest.getYear() - 4; year--) {
            Optional<LocalDate> date = date(year, monthDay[0], monthDay[1]);
            if (date.isPresent() && !date.get().isAfter(latest)) {
                return Optional.of(date.get().toString());
            }
        }
        return Optional.empty();
    }

    private static Optional<int[]> monthDay(String mmdd) {
        int month = Integer.parseInt(mmdd.substring(0, 2));
        int day = Integer.parseInt(mmdd.substring(2, 4));
        return date(2024, month, day).map(leapYear -> new int[] {month, day});
    }

    /** {@code yyyyMMdd} when it reads as one from this century, else {@code MMddyyyy} ({@code 08062026}). */
    private static Optional<LocalDate> eightDigitDate(String word) {
        if (word.startsWith("20")) {
            Optional<LocalDate> date = date(Integer.parseInt(word.substring(0, 4)),
                    Integer.parseInt(word.substring(4, 6)), Integer.parseInt(word.substring(6, 8)));
            if (date.isPresent()) {
                return date;
            }
        }
        return date(Integer.parseInt(word.substring(4, 8)), Integer.parseInt(word.substring(0, 2)),
                Integer.parseInt(word.substring(2, 4)));
    }

    private static Optional<LocalDate> date(int year, int month, int day) {
        try {
            return Optional.of(LocalDate.of(year, month, day));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
