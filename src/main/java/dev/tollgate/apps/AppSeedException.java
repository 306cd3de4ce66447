package dev.tollgate.apps;

/** A seed file that cannot be applied: absent, unreadable or invalid. The message names the file and the line. */
public class AppSeedException extends RuntimeException {

    public AppSeedException(String message) {
        super(message);
    }

    public AppSeedException(String message, Throwable cause) {
        super(message, cause);
    }
}
