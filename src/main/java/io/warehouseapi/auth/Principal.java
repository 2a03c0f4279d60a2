package io.warehouseapi.auth;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Who a connection speaks for once it has authenticated: the name a token was listed under, or a JWT's subject.
 * {@code expiresAt} is when the credential stops being valid ({@code null}: it does not expire). {@code claims} is its
 * security context, which the access policies read: a JWT's claims, or the attributes listed with an API key (an
 * empty object if none).
 */
public record Principal(String name, Instant expiresAt, ObjectNode claims) {

    public Principal {
        claims = claims == null ? JsonNodeFactory.instance.objectNode() : claims;
    }

    public Principal(String name, Instant expiresAt) {
        this(name, expiresAt, null);
    }

    public boolean isExpired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** A claim of the security context; null if it has none of that name. */
    public JsonNode claim(String name) {
        return claims.get(name);
    }
}
