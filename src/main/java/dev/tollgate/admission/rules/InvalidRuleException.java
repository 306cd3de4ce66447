package dev.tollgate.admission.rules;

/** A rule that cannot be stored: malformed or contradictory. The message says what to change. */
public class InvalidRuleException extends RuntimeException {

    public InvalidRuleException(String message) {
        super(message, null, false, false);
    }
}
