package io.warehouseapi.warehouse;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The warehouse's own message for a failed query, cut down to what concerns the client's question. A query is a
 * SELECT of an exposed view with the client's columns, filters and order checked against the catalog, so the engine
 * has two kinds of failure to report:
 * <ul>
 *   <li>about the data (a value that does not convert, a division by zero, an {@code error()} a view raises): the
 *   client's business; the first line is passed on, with names the server keeps to itself taken out: every
 *   double-quoted identifier and every file path becomes {@code …};</li>
 *   <li>about the server's side (a view whose definition no longer binds, a missing table or file, a permission):
 *   nothing the client can act on, and its text names the server's databases, schemas, tables and files; the client
 *   gets a sentence naming the kind of failure only.</li>
 * </ul>
 * The whole message goes to the server's log, where the operator reads it.
 */
public final class ClientErrors {

    /** Failures of the server's side: by the engine's class of error (DuckDB's prefixes, Snowflake's words). */
    private static final Pattern SERVER_SIDE = Pattern.compile(
            "^(Binder Error|Catalog Error|Parser Error|IO Error|Permission Error|HTTP Error|Dependency Error"
            + "|Serialization Error|Internal Error|Connection Error|SQL compilation error|SQL access control error"
            + "|Object does not exist|Schema does not exist|Database does not exist).*",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern DOUBLE_QUOTED = Pattern.compile("\"[^\"]*\"");
    /** A path of two or more segments, or one that ends in a data file's extension. */
    private static final Pattern PATH = Pattern.compile(
            "(?<![\\w.])(?:[A-Za-z]:)?(?:[/\\\\][\\w.@%+~-]+){2,}[/\\\\]?|[\\w.@%+~/-]+\\.(?:parquet|csv|json|duckdb|db)\\b");

    private ClientErrors() {
    }

    /** The sentence a client gets for {@code message}, the engine's text of a failed query. */
    public static String forClient(String message) {
        String text = message == null ? "" : message.strip();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline).strip();
        }
        if (text.isEmpty()) {
            return "The query failed.";
        }
        if (SERVER_SIDE.matcher(text).matches()) {
            int colon = text.indexOf(':');
            String kind = colon > 0 ? text.substring(0, colon) : "an error of the warehouse";
            return "The view could not be run as the warehouse defines it (" + kind.toLowerCase(Locale.ROOT)
                   + "); the server's log has the details.";
        }
        text = DOUBLE_QUOTED.matcher(text).replaceAll("\"…\"");
        text = PATH.matcher(text).replaceAll("…");
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
