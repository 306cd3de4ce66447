package dev.tollgate.seeding;

/** A configured seed file that is absent, unreadable or not UTF-8: the start fails, naming the file and setting. */
public class SeedFileException extends RuntimeException {

    public SeedFileException(String message) {
        super(message);
    }

    public SeedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
