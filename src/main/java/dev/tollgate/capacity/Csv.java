package dev.tollgate.capacity;

/** Text cells of PostgreSQL COPY CSV: always quoted (so an empty string is not null), NUL characters dropped. */
final class Csv {

    private Csv() {
    }

    static StringBuilder text(StringBuilder csv, String value) {
        if (value == null) {
            return csv;
        }
        csv.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                csv.append('"');
            }
            if (c != 0) {
                csv.append(c);
            }
        }
        return csv.append('"');
    }
}
