package dev.tollgate.capacity;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.pricing.PriceFile;
import dev.tollgate.routing.DeploymentType;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Capacity files: CSV with a header row naming the columns (any order), {@code #} comments, one capacity row a line,
 * dates as in price files (an ISO day or instant, whole UTC hours). docs/chargeback.md shows an example.
 */
public final class CapacityFile {

    static final List<String> COLUMNS = List.of("backend", "deployment", "model", "deployment_type", "ptu", "billing",
            "currency", "amount", "policy", "idle_owner", "effective_from", "effective_to");
    private static final List<String> REQUIRED = List.of("backend", "deployment", "model", "deployment_type", "ptu",
            "billing", "currency", "amount", "policy", "effective_from");
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES, CsvParser.Feature.TRIM_SPACES, CsvParser.Feature.ALLOW_COMMENTS)
            .build();

    private CapacityFile() {
    }

    /**
     * Every row, or an IllegalArgumentException naming the first bad line.
     *
     * @param idleOwner the owner of rows that name none
     */
    public static List<CapacityRow> read(Reader csv, String source, String idleOwner) throws IOException {
        List<CapacityRow> rows = new ArrayList<>();
        try (MappingIterator<Map<String, String>> lines = CSV.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader().withComments()).readValues(csv)) {
            while (lines.hasNextValue()) {
                Map<String, String> line = lines.nextValue();
                int lineNumber = lines.getCurrentLocation().getLineNr() - 1;
                try {
                    rows.add(row(line, source, idleOwner));
                } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
                    throw new IllegalArgumentException(source + " line " + lineNumber + ": " + e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": not a capacity CSV file (" + e.getMessage() + ")", e);
        }
        return rows;
    }

    private static CapacityRow row(Map<String, String> line, String source, String idleOwner) {
        for (String column : REQUIRED) {
            if (blank(line.get(column))) {
                throw new IllegalArgumentException("'" + column + "' is required (columns: " + String.join(",", COLUMNS) + ")");
            }
        }
        return new CapacityRow(line.get("backend"), line.get("deployment"), line.get("model"),
                DeploymentType.parse(line.get("deployment_type")), Integer.parseInt(line.get("ptu")),
                Billing.parse(line.get("billing")), line.get("currency"), new BigDecimal(line.get("amount")),
                Policy.parse(line.get("policy")), optional(line, "idle_owner").orElse(idleOwner),
                PriceFile.instant(line.get("effective_from")), optional(line, "effective_to").map(PriceFile::instant),
                source);
    }

    private static Optional<String> optional(Map<String, String> line, String column) {
        return Optional.ofNullable(line.get(column)).filter(v -> !blank(v));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
