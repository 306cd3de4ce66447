package dev.tollgate.apps;

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
 *   <li>Empty lines, lines of only commas, and lines starting with {@code #} are skipped. A byte order mark is
 *       ignored, and so are Windows line ends.</li>
 *   <li>A row may leave out trailing empty values. An empty {@code ownerContact} means none.</li>
 * </ul>
 *
 * Every problem is an {@link AppSeedException} naming the line: nothing of a file with a bad row is applied.
 */
final class AppSeedParser {

    static final List<String> COLUMNS = List.of("appId", "displayName", "businessUnit", "costCenter", "ownerContact",
            "tags");
    static final List<String> REQUIRED = COLUMNS.subList(0, 4);

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
        Records records = new Records(text.startsWith("\uFEFF") ? text.substring(1) : text);
        List<String> header = records.next();
        if (header == null) {
            throw error(records.line, "the file is empty; the first row must be the header "
                    + String.join(",", COLUMNS) + ".");
        }
        int headerLine = records.recordLine;
        String[] columns = columns(headerLine, header);
        List<SeedLine> apps = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (List<String> fields = records.next(); fields != null; fields = records.next()) {
            int line = records.recordLine;
            RegisteredApp app = app(line, columns, fields);
            Integer first = seen.putIfAbsent(app.appId(), line);
            if (first != null) {
                throw error(line, "app '" + app.appId() + "' is already on line " + first + ".");
            }
            apps.add(new SeedLine(line, app));
        }
        return apps;
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

    /** Splits the text into records of fields, skipping blank and comment lines; knows the line each starts on. */
    private final class Records {

        private final String text;
        private int position;
        /** The line {@link #position} is on. */
        private int line = 1;
        /** The line the record last returned started on. */
        private int recordLine;

        Records(String text) {
            this.text = text.replace("\r\n", "\n").replace('\r', '\n');
        }

        /** The next record with a value, or null at the end. */
        List<String> next() {
            while (position < text.length()) {
                if (text.charAt(position) == '#') {
                    int end = text.indexOf('\n', position);
                    position = end < 0 ? text.length() : end + 1;
                    line++;
                    continue;
                }
                recordLine = line;
                List<String> fields = record();
                if (fields.stream().anyMatch(field -> !field.isEmpty())) {
                    return fields;
                }
            }
            return null;
        }

        private List<String> record() {
            List<String> fields = new ArrayList<>();
            while (true) {
                fields.add(field());
                if (position >= text.length()) {
                    return fields;
                }
                char separator = text.charAt(position++);
                if (separator == '\n') {
                    line++;
                    return fields;
                }
            }
        }

        /** One field, leaving {@link #position} on the comma or line break after it (or at the end). */
        private String field() {
            skipBlanks();
            if (position < text.length() && text.charAt(position) == '"') {
                return quoted();
            }
            int start = position;
            while (position < text.length() && text.charAt(position) != ',' && text.charAt(position) != '\n') {
                if (text.charAt(position) == '"') {
                    throw error(line, "a double quote inside a value that does not start with one; enclose the "
                            + "whole value in double quotes and double the quote inside (\"\").");
                }
                position++;
            }
            return text.substring(start, position).strip();
        }

        private String quoted() {
            int startLine = line;
            StringBuilder value = new StringBuilder();
            position++;
            while (true) {
                if (position >= text.length()) {
                    throw error(startLine, "a value opened with a double quote is never closed.");
                }
                char c = text.charAt(position++);
                if (c == '"') {
                    if (position < text.length() && text.charAt(position) == '"') {
                        value.append('"');
                        position++;
                        continue;
                    }
                    break;
                }
                if (c == '\n') {
                    line++;
                }
                value.append(c);
            }
            skipBlanks();
            if (position < text.length() && text.charAt(position) != ',' && text.charAt(position) != '\n') {
                throw error(line, "text after the closing double quote of a value; a quote inside a quoted value "
                        + "is written twice (\"\").");
            }
            return value.toString();
        }

        private void skipBlanks() {
            while (position < text.length() && (text.charAt(position) == ' ' || text.charAt(position) == '\t')) {
                position++;
            }
        }
    }
}
