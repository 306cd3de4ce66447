package dev.tollgate.routing.credentials;

/** The gateway could not get its own credential for a backend (e.g. Entra ID did not issue a token). */
public class CredentialUnavailableException extends RuntimeException {

    public CredentialUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
