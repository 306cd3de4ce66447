package dev.tollgate.reporting;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chargeback report as CSV for spreadsheets: a header row, one row per group with the same names and figures as the
 * JSON, ISO dates, decimals with a dot and never in exponent form. The grand total is not a row (a spreadsheet's sum
 * of a column would count it twice); it is the JSON's {@code total}.
 *
 * <p>Text cells hold strings admins and callers chose (app names, business units, cost centers, deployments), so they
 * are written as OWASP recommends against CSV injection: every text cell quoted, and one that a spreadsheet would read
 * as a formula prefixed with a single quote. Numbers are written as they are, so a spreadsheet still sums them. The
 * file starts with a UTF-8 byte-order mark, without which Excel reads it in the machine's ANSI code page ("ZÃ¼rich").
 */
final class ChargebackCsv {

    /** Excel's cue that the file is UTF-8, as Excel's own "CSV UTF-8" files start. */
    static final String BYTE_ORDER_MARK = "\uFEFF";
    private static final List<String> FIGURES = List.of("requests", "inputTokens", "cachedInputTokens",
            "outputTokens", "reasoningTokens", "totalTokens", "cost", "paygCost", "provisionedCost", "currency",
            "estimatedRequests", "estimatedShare", "missingRequests", "unpricedRequests", "unpricedTokens", "owner",
            "reason");
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private ChargebackCsv() {
    }

    static String of(ChargebackReport report, List<ChargebackGrouping> groupBy) {
        CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
        groupBy.stream().flatMap(g -> g.columns().stream()).forEach(column -> schema.addColumn(column.name()));
        FIGURES.forEach(schema::addColumn);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (ChargebackReport.Row row : report.rows()) {
            Map<String, Object> line = new LinkedHashMap<>();
            row.group().forEach((column, value) -> line.put(column, CsvCells.text(value)));
            ChargebackReport.Figures f = row.figures();
            line.put("requests", f.requests());
            line.put("inputTokens", f.inputTokens());
            line.put("cachedInputTokens", f.cachedInputTokens());
            line.put("outputTokens", f.outputTokens());
            line.put("reasoningTokens", f.reasoningTokens());
            line.put("totalTokens", f.totalTokens());
            line.put("cost", f.cost());
            line.put("paygCost", f.paygCost());
            line.put("provisionedCost", f.provisionedCost());
            line.put("currency", CsvCells.text(report.currency()));
            line.put("estimatedRequests", f.estimatedRequests());
            line.put("estimatedShare", f.estimatedShare());
            line.put("missingRequests", f.missingRequests());
            line.put("unpricedRequests", f.unpricedRequests());
            line.put("unpricedTokens", f.unpricedTokens());
            line.put("owner", CsvCells.text(row.owner()));
            line.put("reason", row.reason());
            lines.add(line);
        }
        try {
            return BYTE_ORDER_MARK + CSV.writerFor(List.class).with(schema.build()).writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a report as CSV", e);
        }
    }
}
