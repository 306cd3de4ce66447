package dev.tollgate.routing;

import io.vertx.core.MultiMap;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a throttled backend asks to be left alone, from its answer's headers, most precise first:
 * {@code retry-after-ms}, {@code retry-after} (seconds), then {@code x-ratelimit-reset-tokens} and
 * {@code x-ratelimit-reset-requests} (seconds, or durations such as {@code 6m0s} or {@code 250ms}).
 */
public final class RetryHints {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private RetryHints() {
    }

    public static Optional<Duration> of(MultiMap headers) {
        Optional<Duration> millis = number(headers.get("retry-after-ms")).map(ms -> Duration.ofNanos((long) (ms * 1e6)));
        if (millis.isPresent()) {
            return millis;
        }
        Optional<Duration> seconds = seconds(headers.get("retry-after"));
        if (seconds.isPresent()) {
            return seconds;
        }
        Optional<Duration> tokens = seconds(headers.get("x-ratelimit-reset-tokens"));
        Optional<Duration> requests = seconds(headers.get("x-ratelimit-reset-requests"));
        if (tokens.isPresent() && requests.isPresent()) {
            return Optional.of(tokens.get().compareTo(requests.get()) >= 0 ? tokens.get() : requests.get());
        }
        return tokens.or(() -> requests);
    }

    private static Optional<Duration> seconds(String value) {
        Optional<Double> plain = number(value);
        if (plain.isPresent()) {
            return Optional.of(Duration.ofNanos((long) (plain.get() * 1e9)));
        }
        if (value == null) {
            return Optional.empty();
        }
        Matcher part = DURATION.matcher(value.trim());
        long nanos = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            double amount = Double.parseDouble(part.group(1));
            nanos += (long) (amount * switch (part.group(2)) {
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            });
            end = part.end();
        }
        return end > 0 && end == value.trim().length() ? Optional.of(Duration.ofNanos(nanos)) : Optional.empty();
    }

    private static Optional<Double> number(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            double number = Double.parseDouble(value.trim());
            return number >= 0 && Double.isFinite(number) ? Optional.of(number) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
