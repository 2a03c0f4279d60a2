package io.warehouseapi.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * Loads the SQL files under {@code sql/}, without their comment lines: from the classpath, where the build packages
 * them, else from the project directory, as under Camel JBang.
 */
public final class SqlText {

    private SqlText() {
    }

    private static InputStream open(String path) throws IOException {
        InputStream in = SqlText.class.getClassLoader().getResourceAsStream(path);
        if (in != null) {
            return in;
        }
        java.nio.file.Path file = java.nio.file.Path.of(path);
        if (java.nio.file.Files.isRegularFile(file)) {
            return java.nio.file.Files.newInputStream(file);
        }
        throw new IllegalStateException("SQL file " + path + " is neither on the classpath nor in the working directory");
    }

    public static String load(String path) {
        try (InputStream in = open(path)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines()
                    .filter(line -> !line.strip().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read SQL file " + path, e);
        }
    }
}
