package dev.tollgate.admission.rules;

/** A rule for a subject and scope that another rule already has. */
public class RuleConflictException extends RuntimeException {

    public RuleConflictException(String message) {
        super(message, null, false, false);
    }
}
