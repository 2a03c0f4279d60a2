package io.warehouseapi.model;

/** Quoting of SQL identifiers taken from a warehouse catalog. */
public final class Identifiers {

    private Identifiers() {
    }

    /** Quotes one identifier with double quotes, doubling any double quote inside it. */
    /**
     * Whether two names are equal when only the ASCII letters A-Z and a-z are folded: unlike
     * {@link String#equalsIgnoreCase}, no other character (a dotless i, the Kelvin sign) can stand for an ASCII one.
     */
    public static boolean equalsIgnoreAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && asciiLower(x) != asciiLower(y)) {
                return false;
            }
        }
        return true;
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** Quotes and joins the parts of a qualified name. */
    public static String qualified(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(quote(part));
        }
        return sb.toString();
    }
}
