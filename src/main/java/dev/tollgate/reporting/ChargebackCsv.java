package dev.tollgate.reporting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chargeback report as CSV for spreadsheets: a header row, one row per group with the same names and figures as the
 * JSON, ISO dates, decimals with a dot and never in exponent form. The grand total is not a row (a spreadsheet's sum
 * of a column would count it twice); it is the JSON's {@code total}.
 */
final class ChargebackCsv {

    private static final List<String> FIGURES = List.of("requests", "inputTokens", "cachedInputTokens",
            "outputTokens", "reasoningTokens", "totalTokens", "cost", "currency", "estimatedRequests",
            "estimatedShare", "missingRequests", "unpricedRequests", "unpricedTokens");
    private static final CsvMapper CSV = new CsvMapper();

    private ChargebackCsv() {
    }

    static String of(ChargebackReport report, List<ChargebackGrouping> groupBy) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        groupBy.stream().flatMap(g -> g.columns().stream()).forEach(column -> schema.addColumn(column.name()));
        FIGURES.forEach(schema::addColumn);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (ChargebackReport.Row row : report.rows()) {
            Map<String, Object> line = new LinkedHashMap<>(row.group());
            ChargebackReport.Figures f = row.figures();
            line.put("requests", f.requests());
            line.put("inputTokens", f.inputTokens());
            line.put("cachedInputTokens", f.cachedInputTokens());
            line.put("outputTokens", f.outputTokens());
            line.put("reasoningTokens", f.reasoningTokens());
            line.put("totalTokens", f.totalTokens());
            line.put("cost", plain(f.cost()));
            line.put("currency", report.currency());
            line.put("estimatedRequests", f.estimatedRequests());
            line.put("estimatedShare", plain(f.estimatedShare()));
            line.put("missingRequests", f.missingRequests());
            line.put("unpricedRequests", f.unpricedRequests());
            line.put("unpricedTokens", f.unpricedTokens());
            lines.add(line);
        }
        try {
            return CSV.writerFor(List.class).with(schema.build()).writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a report as CSV", e);
        }
    }

    private static String plain(BigDecimal value) {
        return value == null ? "" : value.toPlainString();
    }
}
