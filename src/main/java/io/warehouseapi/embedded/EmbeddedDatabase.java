package io.warehouseapi.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

import io.warehouseapi.settings.StartupException;
import io.warehouseapi.warehouse.WarehouseUnreachableException;
import org.duckdb.DuckDBDriver;

/**
 * The DuckDB database the embedded warehouse serves, opened in one of two ways:
 * <ul>
 *   <li>the generated sample ({@code warehouse.embedded.sample.path}): a file of the API's own, opened for writing,
 *   where {@link SampleDataset} generates the sample on first start;</li>
 *   <li>a database of the user's ({@code warehouse.embedded.path}): attached read-only ({@code READ_ONLY}, which also
 *   lets other read-only processes open it) to an in-memory DuckDB instance of the API's own, which holds the
 *   result store. Nothing in the user's file is created, dropped or changed; its views are served as they are, and
 *   every connection of the pool starts with {@code USE} of it, so that its views and their tables resolve as they
 *   do when the file is opened directly.</li>
 * </ul>
 * Either way one connection, the anchor, is held open for the application's life: it keeps the DuckDB instance, and
 * the result store attached to it, alive while the pool opens and retires connections. (It is made through the
 * driver itself: DriverManager sees only drivers of the caller's class loader, which under Camel JBang is not the one
 * that loaded DuckDB.)
 *
 * @param url               the JDBC URL every connection of the pool opens
 * @param connectionInitSql run on each new connection of the pool; null if none
 * @param anchor            the connection that keeps the instance alive
 * @param file              the database file
 * @param usersOwn          whether the file is the user's (read-only) rather than the generated sample
 */
public record EmbeddedDatabase(String url, String connectionInitSql, Connection anchor, Path file,
                               boolean usersOwn) {

    /** Names an attached database cannot take: the instance's own and the result store's. */
    private static final Set<String> RESERVED = Set.of("memory", "system", "temp", "results");

    /** The generated sample's own file, created (with its directory) if absent. */
    public static EmbeddedDatabase sample(Path file) throws IOException {
        Path database = file.toAbsolutePath().normalize();
        Files.createDirectories(database.getParent());
        String url = "jdbc:duckdb:" + database;
        return new EmbeddedDatabase(url, null, open(url, database, "warehouse.embedded.sample.path"), database, false);
    }

    /** A database of the user's, attached read-only; a start-up error if there is no such file. */
    public static EmbeddedDatabase usersOwn(Path file) {
        Path database = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(database)) {
            throw new StartupException("warehouse.embedded.path: there is no DuckDB file " + database
                                       + " (the API opens a database of yours read-only and never creates one; "
                                       + "leave the setting empty to serve the generated sample)");
        }
        String alias = alias(database);
        String url = "jdbc:duckdb::memory:warehouse_" + Long.toHexString(System.nanoTime());
        Connection anchor = open(url, database, "warehouse.embedded.path");
        try (Statement statement = anchor.createStatement()) {
            statement.execute("ATTACH '" + database.toString().replace("'", "''") + "' AS " + quoted(alias)
                              + " (READ_ONLY)");
        } catch (SQLException e) {
            close(anchor);
            throw refusal(database, "warehouse.embedded.path", e);
        }
        return new EmbeddedDatabase(url, "USE " + quoted(alias), anchor, database, true);
    }

    /**
     * The directories the engine may read and write files in: the result store's spill directory (exports are
     * written under it), the shared results directory and a result store file's directory (each null if unused), the
     * user's database's own directory (views over files beside it) and those listed
     * ({@code warehouse.embedded.allowed-directories}, comma-separated).
     */
    public java.util.List<Path> engineDirectories(Path spill, Path sharedDirectory, Path storeFile, String listed) {
        java.util.List<Path> directories = new java.util.ArrayList<>();
        directories.add(spill);
        if (sharedDirectory != null) {
            directories.add(sharedDirectory);
        }
        if (storeFile != null) {
            directories.add(storeFile.toAbsolutePath().getParent());
        }
        if (usersOwn) {
            directories.add(file.getParent());
        }
        for (String directory : listed.split(",")) {
            if (!directory.isBlank()) {
                directories.add(Path.of(directory.strip()));
            }
        }
        return directories;
    }

    /**
     * Takes file access away from the engine that runs client questions, but for the directories it needs (the
     * result store's spill directory, the shared results directory, and those the views read files from), then locks
     * the instance's configuration, so that no statement can give it back. Called once the instance is set up. With
     * {@code queryLog} ({@code warehouse.embedded.query-log}), DuckDB logs every statement it runs first
     * ({@code duckdb_logs}), for an audit of what ran.
     */
    public void lockDown(java.util.Collection<Path> allowedDirectories, boolean queryLog) {
        StringBuilder list = new StringBuilder();
        for (Path directory : allowedDirectories) {
            String path = directory.toAbsolutePath().normalize().toString();
            list.append(list.length() == 0 ? "" : ", ").append('\'')
                    .append((path.endsWith("/") ? path : path + "/").replace("'", "''")).append('\'');
        }
        try (Statement statement = anchor.createStatement()) {
            if (queryLog) {
                statement.execute("CALL enable_logging('QueryLog')");
            }
            statement.execute("SET allowed_directories = [" + list + "]");
            statement.execute("SET enable_external_access = false");
            statement.execute("SET lock_configuration = true");
        } catch (SQLException e) {
            throw new StartupException("Cannot restrict the embedded engine's file access: "
                                       + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /**
     * The name the file is attached under: DuckDB's own for a file opened directly (its name without the extension),
     * so that a view naming its database still resolves; another where that name is taken by the instance.
     */
    static String alias(Path database) {
        String name = database.getFileName().toString();
        int dot = name.indexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return stem.isEmpty() || RESERVED.contains(stem.toLowerCase(Locale.ROOT)) ? "warehouse" : stem;
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    private static Connection open(String url, Path database, String setting) {
        try {
            return new DuckDBDriver().connect(url, new Properties());
        } catch (SQLException e) {
            throw refusal(database, setting, e);
        }
    }

    /** A file another process holds may be let go (the warehouse is retried); any other failure stops the start. */
    private static StartupException refusal(Path database, String setting, SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("lock")) {
            return new WarehouseUnreachableException("the DuckDB file " + database + " is locked by another process");
        }
        return new StartupException("Cannot open the DuckDB file " + database + " (" + setting + "): "
                                    + message.lines().findFirst().orElse(message));
    }

    private static void close(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the instance is being given up in any case
        }
    }
}
