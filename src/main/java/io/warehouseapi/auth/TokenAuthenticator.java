package io.warehouseapi.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * API keys ({@code api.auth.mode=token}). Each key is listed as {@code principal:sha256:<64 hex digits>} (the SHA-256
 * of the key, as {@code printf %s "$KEY" | sha256sum} prints it) or, where the list itself is a secret such as an
 * environment variable or a vault entry, as {@code principal:<key>}. Only the hashes are kept. A presented key is
 * hashed and compared with every listed hash in constant time, so neither the time taken nor an early exit tells an
 * attacker how much of a key was right or which entry matched. An entry may be followed, on its own line, by a JSON
 * object of attributes: its principal's security context, which the access policies read as a JWT's claims.
 */
public class TokenAuthenticator implements Authenticator {

    /** The shortest key accepted in plain form: 128 bits of base64 or hex. */
    static final int MIN_KEY_LENGTH = 22;
    private static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");

    private static final ObjectMapper ATTRIBUTES = new ObjectMapper();

    private final List<Entry> entries;

    private record Entry(String principal, byte[] hash, ObjectNode attributes) {
    }

    private TokenAuthenticator(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses listed keys, one per line or separated by commas; blank lines and lines starting with {@code #} are
     * skipped.
     *
     * @param source where the list came from, for error messages (never the list's content)
     */
    public static TokenAuthenticator parse(List<String> lists, String source) {
        List<Entry> entries = new ArrayList<>();
        int number = 0;
        for (String list : lists) {
            for (String[] listed : entries(list)) {
                String entry = listed[0];
                number++;
                int colon = entry.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException(source + ": entry " + number
                                                       + " is not of the form principal:sha256:<hex> or principal:<key>");
                }
                String principal = entry.substring(0, colon);
                String secret = entry.substring(colon + 1);
                if (!PRINCIPAL.matcher(principal).matches()) {
                    throw new IllegalArgumentException(source + ": entry " + number
                                                       + " has a principal name that is not 1 to 128 letters, digits or ._@-");
                }
                byte[] hash;
                if (HASH.matcher(secret).matches()) {
                    hash = HexFormat.of().parseHex(secret.substring("sha256:".length()).toLowerCase(Locale.ROOT));
                } else if (secret.length() >= MIN_KEY_LENGTH) {
                    hash = sha256(secret);
                } else {
                    throw new IllegalArgumentException(source + ": the key of principal '" + principal + "' is shorter than "
                                                       + MIN_KEY_LENGTH + " characters");
                }
                entries.add(new Entry(principal, hash, attributes(listed[1], source, number)));
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(source + ": no keys are listed");
        }
        return new TokenAuthenticator(entries);
    }

    /**
     * The entries of one list: one per line, or several on a line separated by commas; a line whose entry is followed
     * by a JSON object ({@code alice:sha256:<hex> {"roles":["partner"],"stations":[72]}}) holds that one entry and
     * its attributes. Each entry as {key, attributes or null}.
     */
    private static List<String[]> entries(String list) {
        List<String[]> entries = new ArrayList<>();
        for (String line : list.split("[\\r\\n]+")) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            int brace = stripped.indexOf('{');
            if (brace > 0) {
                entries.add(new String[] {stripped.substring(0, brace).strip(), stripped.substring(brace)});
                continue;
            }
            for (String entry : stripped.split(",")) {
                if (!entry.isBlank()) {
                    entries.add(new String[] {entry.strip(), null});
                }
            }
        }
        return entries;
    }

    /** An entry's attributes, its principal's security context: a JSON object of claims. */
    private static ObjectNode attributes(String json, String source, int number) {
        if (json == null) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode parsed;
        try {
            parsed = ATTRIBUTES.readTree(json);
        } catch (JsonProcessingException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw new IllegalArgumentException(source + ": the attributes of entry " + number
                                               + " are not a JSON object");
        }
        return (ObjectNode) parsed;
    }

    @Override
    public Principal authenticate(String credential) throws AuthenticationException {
        if (credential == null || credential.isEmpty()) {
            throw new AuthenticationException("No API key was given.");
        }
        byte[] presented = sha256(credential);
        Entry match = null;
        for (Entry entry : entries) {
            // every entry is compared, whatever matched before
            if (MessageDigest.isEqual(entry.hash, presented) && match == null) {
                match = entry;
            }
        }
        if (match == null) {
            throw new AuthenticationException("The API key is not valid.");
        }
        return new Principal(match.principal, null, match.attributes.deepCopy());
    }

    @Override
    public String mode() {
        return "token";
    }

    public int size() {
        return entries.size();
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
