package io.warehouseapi.warehouse;

/** Quoting of SQL identifiers taken from a warehouse catalog. */
public final class Identifiers {

    private Identifiers() {
    }

    /** Quotes one identifier with double quotes, doubling any double quote inside it. */
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
