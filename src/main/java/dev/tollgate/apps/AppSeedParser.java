package dev.tollgate.apps;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a seed file: CSV as spreadsheets save it (RFC 4180), UTF-8, comma-separated, with a header row naming the
 * columns {@code appId}, {@code displayName}, {@code businessUnit}, {@code costCenter} (required) and
 * {@code ownerContact}, {@code tags} (optional), in any order and any letter case. Tags are {@code key=value} pairs
 * separated by {@code ;}, e.g. {@code env=prod;project=Atlas}.
 *
 * <ul>
 *   <li>A value with a comma, a quote or a line break is enclosed in double quotes, a quote inside doubled
 *       ({@code "Contoso ""Blue"", Inc."}). Spaces around an unquoted value are dropped.</li>
 *   <li>Empty lines, lines of only commas, and lines starting with {@code #} (after any spaces) are skipped. A byte
 *       order mark is ignored, and so are Windows line ends.</li>
 *   <li>A row may leave out trailing empty values. An empty {@code ownerContact} means none.</li>
 * </ul>
 *
 * The CSV is read with jackson-dataformat-csv; this class adds what the library leaves open: the header, a quote
 * inside an unquoted value (an error, not text), the line each record starts on, and the rules of an app. Every
 * problem is an {@link AppSeedException} naming the line: nothing of a file with a bad row is applied.
 */
final class AppSeedParser {

    static final List<String> COLUMNS = List.of("appId", "displayName", "businessUnit", "costCenter", "ownerContact",
            "tags");
    static final List<String> REQUIRED = COLUMNS.subList(0, 4);

    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES, CsvParser.Feature.TRIM_SPACES, CsvParser.Feature.ALLOW_COMMENTS)
            .build();

    /** An app and the line of the file it was read from. */
    record SeedLine(int line, RegisteredApp app) {
    }

    private final String source;

    private AppSeedParser(String source) {
        this.source = source;
    }

    /**
     * Parses and checks the whole file; {@code source} names it in messages. Each app passes {@link AppRules} and
     * appears once.
     */
    static List<SeedLine> parse(String source, String text) {
        return new AppSeedParser(source).parse(text);
    }

    private List<SeedLine> parse(String text) {
        // Line breaks inside quoted values read as \n, whatever the file uses.
        String csvText = (text.startsWith("\uFEFF") ? text.substring(1) : text).replace("\r\n", "\n")
                .replace('\r', '\n');
        try (JsonParser csv = CSV.createParser(csvText)) {
            try {
                return parse(csv, csvText);
            } catch (StreamReadException e) {
                // An unclosed quote is found at the end of the file; name the line where the value opens.
                String message = e.getOriginalMessage();
                if (message.startsWith("Missing closing quote")) {
                    throw error(csv.currentTokenLocation().getLineNr(), "a value opened with a double quote is never "
                            + "closed.");
                }
                throw error(e.getLocation().getLineNr(), message.contains("Expected column separator")
                        ? "text after the closing double quote of a value; a quote inside a quoted value is written "
                                + "twice (\"\")."
                        : "not valid CSV: " + message);
            }
        } catch (IOException e) {
            throw new AppSeedException("App seed file " + source + " cannot be read: " + e, e);
        }
    }

    private List<SeedLine> parse(JsonParser csv, String text) throws IOException {
        Row header = next(csv, text);
        if (header == null) {
            throw error(csv.currentLocation().getLineNr(), "the file is empty; the first row must be the header "
                    + String.join(",", COLUMNS) + ".");
        }
        String[] columns = columns(header.line(), header.fields());
        List<SeedLine> apps = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Row row = next(csv, text); row != null; row = next(csv, text)) {
            RegisteredApp app = app(row.line(), columns, row.fields());
            Integer first = seen.putIfAbsent(app.appId(), row.line());
            if (first != null) {
                throw error(row.line(), "app '" + app.appId() + "' is already on line " + first + ".");
            }
            apps.add(new SeedLine(row.line(), app));
        }
        return apps;
    }

    /** The fields of a record and the line it starts on. */
    private record Row(int line, List<String> fields) {
    }

    /** The next record with a value, or null at the end; comments and empty lines the parser skips itself. */
    private Row next(JsonParser csv, String text) throws IOException {
        while (csv.nextToken() == JsonToken.START_ARRAY) {
            int line = csv.currentLocation().getLineNr();
            List<String> fields = new ArrayList<>();
            while (csv.nextToken() == JsonToken.VALUE_STRING) {
                String value = csv.getText();
                JsonLocation start = csv.currentTokenLocation(); // offset of the value's first character in text
                if (!value.isEmpty() && text.charAt((int) start.getCharOffset()) != '"') {
                    // The library keeps a quote inside an unquoted value as text; more likely the value is mis-quoted.
                    if (value.indexOf('"') >= 0) {
                        throw error(start.getLineNr(), "a double quote inside a value that does not start with one; "
                                + "enclose the whole value in double quotes and double the quote inside (\"\").");
                    }
                    value = value.strip(); // the library trims only ASCII spaces
                }
                fields.add(value);
            }
            if (fields.stream().anyMatch(field -> !field.isEmpty())) {
                return new Row(line, fields);
            }
        }
        return null;
    }

    /** The canonical column name at each position of the header, null where the header names none. */
    private String[] columns(int line, List<String> header) {
        if (header.size() == 1 && header.get(0).indexOf(';') >= 0) {
            throw error(line, "the header must be comma-separated (" + String.join(",", COLUMNS) + "); this one looks "
                    + "separated by semicolons. Save the file as CSV with commas.");
        }
        Map<String, String> known = COLUMNS.stream()
                .collect(Collectors.toMap(name -> name.toLowerCase(Locale.ROOT), name -> name));
        String[] columns = new String[header.size()];
        Map<String, Integer> positions = new LinkedHashMap<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            if (name.isEmpty()) {
                continue;
            }
            String column = known.get(name.toLowerCase(Locale.ROOT));
            if (column == null) {
                throw error(line, "unknown column '" + AppRules.printable(name) + "' in the header; the columns are "
                        + String.join(", ", COLUMNS) + ".");
            }
            if (positions.putIfAbsent(column, i) != null) {
                throw error(line, "column " + column + " appears twice in the header.");
            }
            columns[i] = column;
        }
        List<String> missing = REQUIRED.stream().filter(name -> !positions.containsKey(name)).toList();
        if (!missing.isEmpty()) {
            throw error(line, "the header lacks the column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + "; it must name at least " + String.join(",", REQUIRED) + ".");
        }
        return columns;
    }

    private RegisteredApp app(int line, String[] columns, List<String> fields) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < fields.size(); i++) {
            String value = fields.get(i);
            if (i >= columns.length || columns[i] == null) {
                if (!value.isEmpty()) {
                    throw error(line, "a value in column " + (i + 1) + ", which the header does not name ("
                            + fields.size() + " values, " + columns.length + " columns). A value with a comma must "
                            + "be enclosed in double quotes.");
                }
                continue;
            }
            values.put(columns[i], value);
        }
        try {
            return AppRules.check(new RegisteredApp(values.get("appId"), values.get("displayName"),
                    values.get("businessUnit"), values.get("costCenter"), values.get("ownerContact"),
                    tags(line, values.getOrDefault("tags", ""))));
        } catch (InvalidAppException e) {
            String app = values.get("appId");
            throw error(line, (app == null || app.isBlank() ? "" : "app '" + AppRules.printable(app) + "': ")
                    + e.getMessage());
        }
    }

    /** {@code key=value;key=value}; spaces around keys and values are dropped, empty pairs skipped. */
    private Map<String, String> tags(int line, String field) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String pair : field.split(";")) {
            String trimmed = pair.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals < 0) {
                throw error(line, "tag '" + AppRules.printable(trimmed) + "' is not key=value (tags are written "
                        + "key=value;key=value).");
            }
            String key = trimmed.substring(0, equals).strip();
            if (tags.putIfAbsent(key, trimmed.substring(equals + 1).strip()) != null) {
                throw error(line, "tag '" + AppRules.printable(key) + "' appears twice.");
            }
        }
        return tags;
    }

    private AppSeedException error(int line, String problem) {
        return new AppSeedException("App seed file " + source + ", line " + line + ": " + problem);
    }
}
