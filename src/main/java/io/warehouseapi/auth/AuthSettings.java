package io.warehouseapi.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.warehouseapi.settings.StartupException;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Reads {@code api.auth.*} and builds the {@link Authenticator} of the configured mode; {@code null} for
 * {@code none}. A setting that is missing or wrong stops the start with a message naming the setting, never a
 * secret's value.
 */
public final class AuthSettings {

    private static final String PREFIX = "api.auth.";

    private AuthSettings() {
    }

    public static Authenticator authenticator(PropertiesComponent properties) {
        String mode = optional(properties, "mode").orElse("none").toLowerCase(Locale.ROOT);
        try {
            return switch (mode) {
                case "none" -> null;
                case "token" -> tokens(properties);
                case "jwt" -> jwt(properties);
                default -> throw new StartupException("api.auth.mode must be none, token or jwt, not '" + mode + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new StartupException("api.auth: " + e.getMessage());
        }
    }

    private static Authenticator tokens(PropertiesComponent properties) {
        List<String> lists = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        optional(properties, "tokens").ifPresent(value -> {
            lists.add(value);
            sources.add("api.auth.tokens");
        });
        optional(properties, "tokens-file").ifPresent(file -> {
            lists.add(read(file, "api.auth.tokens-file"));
            sources.add("api.auth.tokens-file (" + file + ")");
        });
        if (lists.isEmpty()) {
            throw new StartupException("api.auth.mode=token needs api.auth.tokens-file or api.auth.tokens");
        }
        return TokenAuthenticator.parse(lists, String.join(" and ", sources));
    }

    private static Authenticator jwt(PropertiesComponent properties) {
        String algorithm = optional(properties, "jwt.algorithm").orElse("RS256").toUpperCase(Locale.ROOT);
        String issuer = required(properties, "jwt.issuer");
        String audience = required(properties, "jwt.audience");
        int skew = optional(properties, "jwt.clock-skew").map(Integer::parseInt).orElse(30);
        switch (algorithm) {
            case "HS256" -> {
                String secret = optional(properties, "jwt.secret")
                        .or(() -> optional(properties, "jwt.secret-file").map(file -> read(file, "api.auth.jwt.secret-file").strip()))
                        .orElseThrow(() -> new StartupException(
                                "api.auth.jwt.algorithm=HS256 needs api.auth.jwt.secret or api.auth.jwt.secret-file"));
                return JwtAuthenticator.hs256(secret.getBytes(StandardCharsets.UTF_8), issuer, audience, skew);
            }
            case "RS256" -> {
                Optional<String> jwks = optional(properties, "jwt.jwks-file");
                if (jwks.isPresent()) {
                    return JwtAuthenticator.rs256Jwks(read(jwks.get(), "api.auth.jwt.jwks-file"), issuer, audience, skew);
                }
                String pem = optional(properties, "jwt.public-key-file")
                        .map(file -> read(file, "api.auth.jwt.public-key-file"))
                        .orElseThrow(() -> new StartupException(
                                "api.auth.jwt.algorithm=RS256 needs api.auth.jwt.jwks-file or api.auth.jwt.public-key-file"));
                return JwtAuthenticator.rs256Pem(pem, issuer, audience, skew);
            }
            default -> throw new StartupException("api.auth.jwt.algorithm must be HS256 or RS256, not '" + algorithm + "'");
        }
    }

    private static String read(String file, String setting) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StartupException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Optional<String> optional(PropertiesComponent properties, String name) {
        return properties.resolveProperty(PREFIX + name).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static String required(PropertiesComponent properties, String name) {
        return optional(properties, name).orElseThrow(() -> new StartupException(PREFIX + name + " must be set"));
    }
}
