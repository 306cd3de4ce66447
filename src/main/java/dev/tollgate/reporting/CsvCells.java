package dev.tollgate.reporting;

/**
 * Text cells of the CSV the report APIs write, made harmless for spreadsheets: a cell that starts like a formula
 * ({@code = + - @}, tab or carriage return) is prefixed with an apostrophe, so that Excel or Sheets shows it as text
 * instead of running it (CSV injection, OWASP). App ids, deployment names and upstream ids come from callers and
 * backends, app and meter names from whoever registers an app or uploads a bill, so every text cell of every CSV answer
 * (reports, records, FOCUS, reconciliation) goes through here; numbers never do (a negative number must stay a number).
 * JSON answers are left exact.
 */
public final class CsvCells {

    private CsvCells() {
    }

    /** The text as a spreadsheet-safe cell; null stays null (an empty cell). */
    public static String text(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        return switch (value.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + value;
            default -> value;
        };
    }
}
