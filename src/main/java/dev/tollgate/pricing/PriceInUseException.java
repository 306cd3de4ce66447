package dev.tollgate.pricing;

/** A price row that priced usage records, and so stays in the catalog. */
public class PriceInUseException extends RuntimeException {

    public PriceInUseException(long id) {
        super("Price row " + id + " has priced usage records; add a corrected row and reprice instead.");
    }
}
