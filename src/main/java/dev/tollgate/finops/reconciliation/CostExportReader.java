package dev.tollgate.finops.reconciliation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.tollgate.pricing.PricingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads an uploaded Azure cost export in full before anything is stored: the format from its header, then every line,
 * so that a file is either read whole or refused with the first flaw (line and column). Lines must be in the price
 * catalog's currency, or Tollgate's costs and Azure's could not be compared.
 */
@ApplicationScoped
public class CostExportReader {

    private static final CsvMapper CSV = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
    private static final List<CostExportFormat> FORMATS = List.of(new FocusCostExport(), new ActualCostExport());

    private final PricingConfig pricing;

    public CostExportReader(PricingConfig pricing) {
        this.pricing = pricing;
    }

    public CostExport read(String content) throws InvalidCostExportException {
        String text = content == null ? "" : content.replace("\uFEFF", ""); // Excel and Azure write a BOM
        try (MappingIterator<List<String>> lines = CSV.readerForListOf(String.class).readValues(text)) {
            if (!lines.hasNextValue()) {
                throw new InvalidCostExportException("The file is empty: send a cost export, header line first.");
            }
            List<String> header = lines.nextValue();
            Map<String, Integer> columns = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                columns.putIfAbsent(header.get(i).trim().toLowerCase(Locale.ROOT), i);
            }
            CostExportFormat format = FORMATS.stream().filter(f -> f.recognises(columns.keySet())).findFirst()
                    .orElseThrow(() -> new InvalidCostExportException("Line 1: not a cost export Tollgate reads. A "
                            + "FOCUS export needs the columns " + names(FORMATS.get(0)) + "; an actual cost export "
                            + names(FORMATS.get(1)) + "."));
            List<BilledCharge> charges = new ArrayList<>();
            while (lines.hasNextValue()) {
                // The parser places a record at the end of the line before it (quoted line breaks counted).
                int number = lines.getParser().currentTokenLocation().getLineNr() + 1;
                List<String> values = lines.nextValue();
                if (values.size() == 1 && values.get(0).isBlank()) {
                    continue; // a blank line, e.g. at the end
                }
                CsvLine line = new CsvLine(number, columns, values);
                if (values.size() != header.size()) {
                    throw new InvalidCostExportException("Line " + number + ": " + values.size() + " values for "
                            + header.size() + " columns.");
                }
                CsvLine.Cell currency = format.currency(line);
                if (!currency.value().equals(pricing.currency())) {
                    throw line.error(currency.column(), "'" + currency.value() + "' is not the price catalog's currency ("
                            + pricing.currency() + "), so its costs cannot be compared with Tollgate's");
                }
                charges.add(format.read(line));
            }
            if (charges.isEmpty()) {
                throw new InvalidCostExportException("The file has a header and no charge lines.");
            }
            return new CostExport(format.name(), pricing.currency(), charges);
        } catch (JsonProcessingException e) {
            throw new InvalidCostExportException("Line " + e.getLocation().getLineNr() + ": not valid CSV ("
                    + e.getOriginalMessage() + ").");
        } catch (IOException | RuntimeException e) {
            if (e.getCause() instanceof JsonProcessingException csv) {
                throw new InvalidCostExportException("Line " + csv.getLocation().getLineNr() + ": not valid CSV ("
                        + csv.getOriginalMessage() + ").");
            }
            throw new InvalidCostExportException("The file cannot be read as CSV: " + e.getMessage());
        }
    }

    private static String names(CostExportFormat format) {
        return format.requiredColumns().stream().map(names -> String.join(" or ", names))
                .collect(Collectors.joining(", "));
    }
}
