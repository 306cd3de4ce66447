package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Price files: CSV with a header row naming the columns (any order), {@code #} comment lines allowed, one price row a
 * line. Dates are ISO: a day ({@code 2024-10-01}, UTC midnight) or an instant. Empty optional cells mean "any" (version,
 * region), "as input" (cached_input_per_1m) or "open-ended" (effective_to). docs/chargeback.md shows an example.
 */
public final class PriceFile {

    static final List<String> COLUMNS = List.of("model", "model_version", "deployment_type", "region", "currency",
            "input_per_1m", "cached_input_per_1m", "output_per_1m", "effective_from", "effective_to");
    private static final List<String> REQUIRED = List.of("model", "deployment_type", "currency", "input_per_1m",
            "output_per_1m", "effective_from");

    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES, CsvParser.Feature.TRIM_SPACES,
                    CsvParser.Feature.ALLOW_COMMENTS, CsvParser.Feature.FAIL_ON_MISSING_COLUMNS)
            .build();

    private PriceFile() {
    }

    /**
     * Reads every row or fails naming the first bad line.
     *
     * @param source recorded as each row's source, e.g. {@code file:prices.csv}
     */
    public static List<PriceRow> read(Reader csv, String source) throws IOException {
        List<PriceRow> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> lines = CSV.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader().withComments()).readValues(csv)) {
            while (lines.hasNextValue()) {
                Map<String, String> line = lines.nextValue();
                int lineNumber = lines.getCurrentLocation().getLineNr() - 1;
                try {
                    rows.add(row(line, source));
                } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
                    throw new InvalidPriceFileException(source + " line " + lineNumber + ": " + e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof InvalidPriceFileException) {
                throw e;
            }
            throw new InvalidPriceFileException(source + ": not a price CSV file (" + e.getMessage() + ")");
        }
        return rows;
    }

    private static PriceRow row(Map<String, String> line, String source) {
        for (String column : REQUIRED) {
            if (blank(line.get(column))) {
                throw new IllegalArgumentException("'" + column + "' is required (columns: " + String.join(",", COLUMNS) + ")");
            }
        }
        return new PriceRow(line.get("model"), optional(line, "model_version"),
                DeploymentType.parse(line.get("deployment_type")), optional(line, "region"), line.get("currency"),
                decimal(line, "input_per_1m"), optional(line, "cached_input_per_1m").map(v -> decimal(line, "cached_input_per_1m")),
                decimal(line, "output_per_1m"), instant(line.get("effective_from")),
                optional(line, "effective_to").map(PriceFile::instant), source, Optional.empty());
    }

    /** An ISO day (UTC midnight) or instant. */
    public static Instant instant(String value) {
        return value.length() == 10 ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(value);
    }

    private static BigDecimal decimal(Map<String, String> line, String column) {
        try {
            return new BigDecimal(line.get(column));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + column + "' must be a decimal with a dot, got '" + line.get(column) + "'");
        }
    }

    private static Optional<String> optional(Map<String, String> line, String column) {
        return Optional.ofNullable(line.get(column)).filter(v -> !blank(v));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
