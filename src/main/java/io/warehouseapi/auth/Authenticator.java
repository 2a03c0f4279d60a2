package io.warehouseapi.auth;

/** Checks a credential a client presented ({@code api.auth.mode} {@code token} or {@code jwt}). */
public interface Authenticator {

    /**
     * The principal a credential belongs to.
     *
     * @throws AuthenticationException if the credential is not valid; its message is safe to log and to send to the
     *                                 client, and never contains the credential
     */
    Principal authenticate(String credential) throws AuthenticationException;

    /** The mode's name, for logs. */
    String mode();
}
