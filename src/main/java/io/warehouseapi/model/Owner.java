package io.warehouseapi.model;

import java.util.Objects;

/**
 * Who may use a query id or counts an export link against its bounds: a connection, when authentication is off, or a
 * signed-in principal, whose ids work from any of its connections and on any replica. Exactly one of the two is set.
 * A principal under access policies also carries its {@code scope}: a digest of what the policies grant it, so that
 * its ids are signed for what it may see, and stop working for it when that changes (empty without policies).
 */
public record Owner(String connection, String principal, String scope) {

    private static final String PRINCIPAL = "principal:";
    /** Between a principal's name and its scope in the key (a character no name is expected to hold). */
    private static final String SCOPE = "\u001fscope:";

    public Owner {
        if ((connection == null) == (principal == null)) {
            throw new IllegalArgumentException("An owner is a connection or a principal");
        }
        scope = scope == null ? "" : scope;
    }

    public static Owner ofConnection(String connection) {
        return new Owner(Objects.requireNonNull(connection, "connection"), null, "");
    }

    public static Owner ofPrincipal(String name) {
        return ofPrincipal(name, "");
    }

    /** A principal whose access policies grant what {@code scope} digests. */
    public static Owner ofPrincipal(String name, String scope) {
        return new Owner(null, Objects.requireNonNull(name, "principal"), scope);
    }

    public boolean isPrincipal() {
        return principal != null;
    }

    /** Whether this owner is the given connection itself (not a principal signed in on it). */
    public boolean isConnection(String id) {
        return connection != null && connection.equals(id);
    }

    /**
     * The owner as signed ids name it: {@code principal:<name>} (followed by its scope, under access policies), or the
     * connection's id (which no replica but its own knows). Stable across releases, so that ids issued before an
     * upgrade still open.
     */
    public String key() {
        return !isPrincipal() ? connection : scope.isEmpty() ? PRINCIPAL + principal : PRINCIPAL + principal + SCOPE + scope;
    }

    @Override
    public String toString() {
        return isPrincipal() ? PRINCIPAL + principal : connection;
    }
}
