package io.warehouseapi.model;

import java.util.Objects;

/**
 * Who may use a query id or counts an export link against its bounds: a connection, when authentication is off, or a
 * signed-in principal, whose ids work from any of its connections and on any replica. Exactly one of the two is set.
 */
public record Owner(String connection, String principal) {

    private static final String PRINCIPAL = "principal:";

    public Owner {
        if ((connection == null) == (principal == null)) {
            throw new IllegalArgumentException("An owner is a connection or a principal");
        }
    }

    public static Owner ofConnection(String connection) {
        return new Owner(Objects.requireNonNull(connection, "connection"), null);
    }

    public static Owner ofPrincipal(String name) {
        return new Owner(null, Objects.requireNonNull(name, "principal"));
    }

    public boolean isPrincipal() {
        return principal != null;
    }

    /** Whether this owner is the given connection itself (not a principal signed in on it). */
    public boolean isConnection(String id) {
        return connection != null && connection.equals(id);
    }

    /**
     * The owner as signed ids name it: {@code principal:<name>}, or the connection's id (which no replica but its own
     * knows). Stable across releases, so that ids issued before an upgrade still open.
     */
    public String key() {
        return isPrincipal() ? PRINCIPAL + principal : connection;
    }

    @Override
    public String toString() {
        return key();
    }
}
