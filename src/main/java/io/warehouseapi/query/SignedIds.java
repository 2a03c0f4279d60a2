package io.warehouseapi.query;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Query ids and export tokens that any replica sharing the keys can check without asking the one that issued them.
 * <p>
 * An id is, in 42 bytes written as 56 URL-safe base64 characters: when it expires (4 bytes, seconds since the epoch),
 * 6 random bytes (so that every id is new), the warehouse's id of the result it names (a UUID, 16 bytes), and the
 * first 16 bytes of an HMAC-SHA256 over those, the kind of token and its owner, under the first key
 * ({@code api.handles.keys}). Every listed key verifies, so that a key is rotated by listing a new one first and
 * dropping the old one once no id signed with it is needed. A tampered id, an expired one, one of another owner or
 * one signed with a key no longer listed does not open: to the caller it is unknown.
 */
public final class SignedIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int EXPIRY = 4;
    private static final int NONCE = 6;
    private static final int REF = 16;
    private static final int MAC = 16;
    private static final int PAYLOAD = EXPIRY + NONCE + REF;
    private static final int LENGTH = PAYLOAD + MAC;
    /** The shortest key accepted: 256 bits, HMAC-SHA256's own block of strength. */
    public static final int MIN_KEY_BYTES = 32;

    private final List<SecretKeySpec> keys;
    private final boolean generated;

    private SignedIds(List<SecretKeySpec> keys, boolean generated) {
        this.keys = keys;
        this.generated = generated;
    }

    /**
     * The keys as listed (each 32 bytes or more, in base64 or base64url, the first signs); with none listed, a key of
     * this process's own, so that its ids are valid on it alone.
     */
    public static SignedIds of(List<String> encodedKeys) {
        List<SecretKeySpec> keys = new ArrayList<>();
        for (String encoded : encodedKeys) {
            String text = encoded.strip();
            if (text.isEmpty()) {
                continue;
            }
            byte[] key;
            try {
                key = (text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder())
                        .decode(text);
            } catch (IllegalArgumentException e) {
                // the key itself is never quoted
                throw new IllegalArgumentException("api.handles.keys: key " + (keys.size() + 1)
                                                   + " is not base64 text");
            }
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("api.handles.keys: key " + (keys.size() + 1) + " has " + key.length
                                                   + " bytes; a key needs at least " + MIN_KEY_BYTES
                                                   + " (openssl rand -base64 32)");
            }
            keys.add(new SecretKeySpec(key, "HmacSHA256"));
        }
        if (!keys.isEmpty()) {
            return new SignedIds(List.copyOf(keys), false);
        }
        byte[] own = new byte[MIN_KEY_BYTES];
        RANDOM.nextBytes(own);
        return new SignedIds(List.of(new SecretKeySpec(own, "HmacSHA256")), true);
    }

    /**
     * The keys of the settings: {@code api.handles.keys} (comma-separated) and the lines of
     * {@code api.handles.keys-file} (blank for none; {@code #} starts a comment line).
     *
     * @throws IllegalArgumentException naming the setting, for a file that cannot be read or a key that is not valid
     */
    public static SignedIds fromSettings(String listed, String keysFile) {
        List<String> keys = new ArrayList<>(List.of(listed.split(",")));
        if (!keysFile.isBlank()) {
            Path file = Path.of(keysFile.strip());
            try {
                keys.addAll(Files.readAllLines(file).stream().filter(line -> !line.strip().startsWith("#")).toList());
            } catch (IOException e) {
                throw new IllegalArgumentException("api.handles.keys-file: cannot read " + file);
            }
        }
        return of(keys);
    }

    /** Whether the key is this process's own (none was configured): its ids are valid on it alone. */
    public boolean isGenerated() {
        return generated;
    }

    /** What an operator should know of these keys, without naming any. */
    public String describe() {
        return generated
                ? "No api.handles.keys: query ids and export links are signed with a key of this process's own, so they "
                  + "are valid on this replica alone, until it stops. Replicas behind one load balancer share their "
                  + "keys (see the README, \"Running several replicas\")."
                : "Query ids and export links are signed with the first of " + keys.size() + " keys "
                  + "(api.handles.keys); every one of them verifies";
    }

    /** A new id of the given kind and owner for a result, valid until {@code expiresAt}. */
    public String issue(Kind kind, String owner, UUID ref, Instant expiresAt) {
        ByteBuffer id = ByteBuffer.allocate(LENGTH);
        id.putInt((int) Math.min(expiresAt.getEpochSecond(), 0xFFFF_FFFFL));
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        id.put(nonce);
        id.putLong(ref.getMostSignificantBits()).putLong(ref.getLeastSignificantBits());
        id.put(mac(keys.get(0), kind, owner, id.array()));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.array());
    }

    /**
     * What an id names, if it is one of the given kind and owner, signed with a listed key and not expired at
     * {@code now}; else null.
     */
    public Opened open(Kind kind, String owner, String id, Instant now) {
        if (id == null || id.length() != (LENGTH * 4 + 2) / 3) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != LENGTH || !Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(id)) {
            return null;
        }
        byte[] given = java.util.Arrays.copyOfRange(bytes, PAYLOAD, LENGTH);
        boolean valid = false;
        for (SecretKeySpec key : keys) {
            // every key is tried, so that the time taken does not tell which one matched
            valid |= MessageDigest.isEqual(given, mac(key, kind, owner, bytes));
        }
        if (!valid) {
            return null;
        }
        ByteBuffer read = ByteBuffer.wrap(bytes);
        Instant expiresAt = Instant.ofEpochSecond(Integer.toUnsignedLong(read.getInt()));
        if (!now.isBefore(expiresAt)) {
            return null;
        }
        read.position(EXPIRY + NONCE);
        return new Opened(new UUID(read.getLong(), read.getLong()), expiresAt);
    }

    private static byte[] mac(SecretKeySpec key, Kind kind, String owner, byte[] id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(kind.label);
            byte[] who = owner.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(who.length).array());
            mac.update(who);
            mac.update(id, 0, PAYLOAD);
            return java.util.Arrays.copyOf(mac.doFinal(), MAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** What a valid id names: the warehouse's id of a result, and when the id stops working. */
    public record Opened(UUID ref, Instant expiresAt) {
    }

    /** What an id is for: a MAC of one kind never verifies as another. */
    public enum Kind {
        QUERY("query-id"), EXPORT("export-link");

        private final byte[] label;

        Kind(String label) {
            this.label = (label + '\0').getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * A warehouse's id of a result as a signed id carries it: a UUID (Snowflake's query ids and the embedded
     * warehouse's are). Any other form gets a random one, which leaves its ids valid on this replica alone.
     */
    static UUID ref(String warehouseId) {
        try {
            UUID uuid = UUID.fromString(warehouseId);
            if (uuid.toString().equals(warehouseId)) {
                return uuid;
            }
        } catch (IllegalArgumentException e) {
            // not a UUID
        }
        return UUID.randomUUID();
    }
}
