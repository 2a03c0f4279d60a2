package io.warehouseapi.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SQL files under {@code sql/} as a bean for the routes, which put a file's statement in the body of a
 * {@code jdbc:} step: {@code method: "text('sql/snowflake/result-scan-page.sql')"}. Each file is read once.
 */
public class SqlFiles {

    private final Map<String, String> texts = new ConcurrentHashMap<>();

    /** The statement of a file under {@code sql/}, without its comment lines. */
    public String text(String path) {
        if (!path.startsWith("sql/") || path.contains("..")) {
            throw new IllegalArgumentException("Not a file under sql/: " + path);
        }
        return texts.computeIfAbsent(path, SqlText::load);
    }
}
