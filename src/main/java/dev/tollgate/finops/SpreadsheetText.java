package dev.tollgate.finops;

/**
 * Text cells of the CSV answers made safe to open in a spreadsheet: a cell that starts with {@code = + - @}, a tab or
 * a carriage return would be read as a formula (CSV injection), so it gets a leading apostrophe, which spreadsheets
 * hide. App names and meter names come from whoever registers an app or uploads a bill. JSON answers are left exact.
 */
public final class SpreadsheetText {

    private SpreadsheetText() {
    }

    public static String safe(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        return switch (text.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
            default -> text;
        };
    }
}
