package io.warehouseapi.auth;

import java.time.Instant;

/**
 * Who a connection speaks for once it has authenticated: the name a token was listed under, or a JWT's subject.
 * {@code expiresAt} is when the credential stops being valid ({@code null}: it does not expire).
 */
public record Principal(String name, Instant expiresAt) {

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
