package io.warehouseapi.auth;

/** A credential was refused; the message says why in words safe to log and to send, never the credential. */
public class AuthenticationException extends Exception {

    public AuthenticationException(String message) {
        super(message);
    }
}
