package dev.tollgate.finops.reconciliation;

/** An uploaded cost export that cannot be read; the message names the line and column. */
public class InvalidCostExportException extends Exception {

    public InvalidCostExportException(String message) {
        super(message, null, false, false);
    }
}
