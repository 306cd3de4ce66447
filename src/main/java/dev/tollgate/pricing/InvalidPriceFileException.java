package dev.tollgate.pricing;

/** A price file or price row that cannot be loaded; the message names the source and line. */
public class InvalidPriceFileException extends IllegalArgumentException {

    public InvalidPriceFileException(String message) {
        super(message);
    }
}
