package dev.tollgate.apps.graph;

/** A look-up in Microsoft Graph failed (no token, a refusal, an error, an unreadable answer). */
public class GraphException extends Exception {

    public GraphException(String message) {
        super(message);
    }

    public GraphException(String message, Throwable cause) {
        super(message, cause);
    }
}
