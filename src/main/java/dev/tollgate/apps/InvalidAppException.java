package dev.tollgate.apps;

/** An app definition that breaks a rule of {@link AppRules}; the message names the field and says what is wrong. */
class InvalidAppException extends RuntimeException {

    InvalidAppException(String message) {
        super(message, null, false, false);
    }
}
