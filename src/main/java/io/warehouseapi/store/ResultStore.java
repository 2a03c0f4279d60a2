package io.warehouseapi.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.Identifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local result store: every finished query's result as a table in an in-memory DuckDB catalog, {@code results}.
 * The equivalent of Snowflake's persisted query results: pages are read from here, never by running the view again,
 * and a page at the end of a result costs what a page at its start costs. In memory because that is what the engine
 * materializes fastest (about twice as fast as into a database file, which at every start was emptied anyway); the
 * memory stays bounded all the same: beyond the DuckDB instance's {@code memory_limit} ({@code results.memory-limit})
 * DuckDB spills the tables' blocks to the spill directory ({@code results.spill-directory}) and reads them back when
 * a page needs them. On the embedded warehouse the catalog is attached to the warehouse's own DuckDB instance, so a
 * query materializes into it in one statement. Results are dropped when the last query id that uses them goes.
 */
public class ResultStore {

    private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);
    private static final String ATTACHED_CATALOG = "results";
    /**
     * The column of a result stored as the engine handed its rows over ({@code sql/store/materialize-numbered.sql}):
     * each row's number, which orders the stored result; never shown to clients.
     */
    public static final String NUMBER_COLUMN = "__row";
    private static final Pattern QUERY_ID = Pattern.compile("[A-Za-z0-9-]{1,128}");
    private static final Pattern MEMORY_LIMIT = Pattern.compile("\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)",
            Pattern.CASE_INSENSITIVE);

    private final DataSource dataSource;
    private final Path spillDirectory;
    private final String memoryLimit;
    private final boolean attach;
    /** The database file the store keeps its tables in, or null for memory ({@code results.store-file}). */
    private final Path storeFile;
    private volatile String catalog = ATTACHED_CATALOG;
    private final String materializeSql = SqlText.load("sql/store/materialize.sql");
    private final String materializeNumberedSql = SqlText.load("sql/store/materialize-numbered.sql");
    private final String pageSql = SqlText.load("sql/store/page.sql");
    private final String columnsSql = SqlText.load("sql/store/columns.sql");
    private final String countSql = SqlText.load("sql/store/count.sql");
    private final String tableCountSql = SqlText.load("sql/store/table-count.sql");
    private final String usageSql = SqlText.load("sql/store/usage.sql");
    private final String publishSql = SqlText.load("sql/store/publish-shared.sql");
    private final String loadSharedSql = SqlText.load("sql/store/load-shared.sql");
    private final Map<String, StoredResult> results = new ConcurrentHashMap<>();
    /** Results while they are stored as they arrive. */
    private final StoreArrivals arrivals;
    private final PageCache pages;
    private final StoreExports exports;

    /**
     * A store whose in-memory catalog is attached, as {@code results}, to the DuckDB instance of {@code dataSource}
     * (the embedded warehouse's, so that a query materializes into it in one statement); or, with {@code attach}
     * false, a store whose {@code dataSource} is an in-memory DuckDB instance of its own. {@code memoryLimit} is
     * DuckDB's {@code memory_limit} for that instance (such as {@code 2GB}); beyond it, blocks spill to
     * {@code spillDirectory}. With a {@code storeFile} (attached stores only: {@code results.store-file}, for
     * comparing the two, see the performance page) the tables are kept in that database file, emptied at start,
     * instead of memory. Pages read are kept in {@code pages}.
     */
    public ResultStore(DataSource dataSource, Path spillDirectory, String memoryLimit, boolean attach, Path storeFile,
                       PageCache pages) {
        if (!MEMORY_LIMIT.matcher(memoryLimit.trim()).matches()) {
            throw new IllegalArgumentException("results.memory-limit must be a size such as 2GB or 512MB, not '"
                                               + memoryLimit + "'");
        }
        this.dataSource = dataSource;
        this.pages = pages;
        this.spillDirectory = spillDirectory.toAbsolutePath().normalize();
        this.memoryLimit = memoryLimit.trim();
        this.attach = attach;
        this.storeFile = storeFile == null ? null : storeFile.toAbsolutePath().normalize();
        this.exports = new StoreExports(dataSource, this.spillDirectory);
        this.arrivals = new StoreArrivals(dataSource, pageSql);
    }

    /**
     * Empties a spill directory left by an earlier run, and its exports' slices: no query id outlives the process
     * that issued it.
     */
    private static void clear(Path spillDirectory) throws IOException {
        Path absolute = spillDirectory.toAbsolutePath().normalize();
        Files.createDirectories(absolute.resolve(StoreExports.DIRECTORY));
        for (Path directory : List.of(absolute, absolute.resolve(StoreExports.DIRECTORY))) {
            try (var files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (Files.isRegularFile(file) && (name.startsWith("duckdb_temp") || name.startsWith("export-"))) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    /**
     * A stored result as a stream of the given format, written by the engine slice by slice ({@link ExportStream}),
     * under the column names clients see. {@code onClose} runs once when the stream is closed.
     */
    public InputStream openExport(StoredResult result, ExportFormat format, Runnable onClose) {
        return exports.open(result, format, onClose);
    }

    /** Starts the store, empty. */
    public void start() {
        try {
            clear(spillDirectory);
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                // both are checked values: a size, and a path of the operator's
                statement.execute("SET memory_limit = '" + memoryLimit + "'");
                statement.execute("SET temp_directory = '" + spillDirectory.toString().replace("'", "''") + "'");
                if (attach) {
                    statement.execute("DETACH DATABASE IF EXISTS " + ATTACHED_CATALOG);
                    if (storeFile == null) {
                        statement.execute("ATTACH ':memory:' AS " + ATTACHED_CATALOG);
                    } else {
                        Files.deleteIfExists(storeFile);
                        Files.deleteIfExists(Path.of(storeFile + ".wal"));
                        statement.execute("ATTACH '" + storeFile.toString().replace("'", "''") + "' AS "
                                          + ATTACHED_CATALOG);
                    }
                } else {
                    try (ResultSet rs = statement.executeQuery("SELECT current_database()")) {
                        rs.next();
                        catalog = rs.getString(1);
                    }
                }
            }
            LOG.info("Result store started {} (memory limit {}, spilling to {})",
                    storeFile == null ? "in memory" : "in the file " + storeFile, memoryLimit, spillDirectory);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot start the result store: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the result store's spill directory " + spillDirectory, e);
        }
    }

    /** What the store holds: bytes of its tables in memory and bytes spilled to disk, from DuckDB's own counters. */
    public Usage usage() {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(usageSql)) {
            rs.next();
            return new Usage(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            return new Usage(-1, -1);
        }
    }

    /** Bytes of stored results in memory and spilled to disk; -1 when DuckDB could not say. */
    public record Usage(long memoryBytes, long spilledBytes) {
    }

    /** The store's table for a query id; the id is checked, as it becomes part of an identifier. */
    public String tableFor(String queryId) {
        if (!QUERY_ID.matcher(queryId).matches()) {
            throw new IllegalArgumentException("Not a query id the store accepts");
        }
        return Identifiers.quote(catalog) + ".main." + Identifiers.quote(tableName(queryId));
    }

    private static String tableName(String queryId) {
        return "q_" + queryId.replace('-', '_');
    }

    /** The statement that materializes a SELECT into the store's table for a query. */
    public String materializeStatement(String queryId, String select) {
        return materializeSql.replace("{table}", tableFor(queryId)).replace("{source}", select);
    }

    /**
     * The statement that materializes a SELECT into the store's table for a query with each row numbered by
     * {@code number}, an expression of the engine's that numbers rows as they pass (and keeps the first for
     * {@link #capturing}); the stored result is read in the numbers' order.
     */
    public String materializeNumberedStatement(String queryId, String select, String number) {
        return materializeNumberedSql.replace("{table}", tableFor(queryId)).replace("{number}", number)
                .replace("{source}", select);
    }

    /** Records a result materialized into {@link #tableFor(String)}, reading its columns and row count. */
    public StoredResult register(String queryId) throws SQLException {
        return register(queryId, null);
    }

    /**
     * Records a result materialized into {@link #tableFor(String)}; {@code columns}, if given, are the names and types
     * clients see (the warehouse's own type names), else the store's.
     */
    public StoredResult register(String queryId, List<Column> reported) throws SQLException {
        String table = tableFor(queryId);
        List<Column> columns = new ArrayList<>();
        GrowingResult arrived = arrivals.growing(queryId);
        boolean numbered;
        long rows;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement ps = connection.prepareStatement(columnsSql)) {
                ps.setString(1, catalog);
                ps.setString(2, tableName(queryId));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new Column(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            // the number the engine gave the rows as it stored them (a view's own column of that name is not it)
            numbered = !columns.isEmpty() && NUMBER_COLUMN.equals(columns.get(0).name())
                       && (reported != null ? columns.size() == reported.size() + 1
                                            : arrived != null && arrived.firstRows() != null);
            if (numbered) {
                columns.remove(0);
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(countSql.replace("{table}", table))) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        // a result stored as it arrived keeps the instant its storing began, which its early pages were sent with
        StoredResult result = new StoredResult(queryId, table, reported != null ? reported : columns, columns, rows,
                arrived != null ? arrived.since() : Instant.now(), numbered);
        results.put(queryId, result);
        return result;
    }

    /** Writes a stored result to a Parquet file ({@code sql/store/publish-shared.sql}), for the shared directory. */
    public void writeParquet(StoredResult result, Path file) throws SQLException {
        String sql = publishSql.replace("{table}", result.table()).replace("{file}", quotedPath(file));
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /**
     * Takes a result another replica wrote to a Parquet file into the store ({@code sql/store/load-shared.sql}), with
     * the columns as clients saw them there.
     */
    public StoredResult loadParquet(String queryId, Path file, List<Column> reported) throws SQLException {
        String sql = loadSharedSql.replace("{table}", tableFor(queryId)).replace("{file}", quotedPath(file));
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        return register(queryId, reported);
    }

    /** A path of the server's own as a SQL string literal. */
    private static String quotedPath(Path file) {
        return "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    public StoredResult find(String queryId) {
        return results.get(queryId);
    }

    /** A page, from the page cache or else read; an offset at or past the end gives an empty page. */
    public Page readPage(StoredResult result, long offset, int pageSize) {
        return pages.get(result.queryId(), offset, pageSize, () -> read(result, offset, pageSize));
    }

    private Page read(StoredResult result, long offset, int pageSize) {
        List<Object[]> rows = new ArrayList<>(Math.min(pageSize, 1024));
        if (offset < result.totalRows()) {
            String sql = pageSql.replace("{columns}", result.numbered()
                            ? "* EXCLUDE (" + Identifiers.quote(NUMBER_COLUMN) + ")" : "*")
                    .replace("{position}", result.position()).replace("{order}", result.order())
                    .replace("{table}", result.table());
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setLong(1, offset);
                ps.setLong(2, offset + pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    StoreValues.readRows(rs, rows, pageSize);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read a page of query " + result.queryId() + ": "
                                                + e.getMessage(), e);
            }
        }
        return Page.of(result.queryId(), offset, pageSize, result.totalRows(), result.columns(), rows);
    }

    /**
     * Copies a warehouse's result set into the store's table for a query with DuckDB's appender, streaming: no more
     * than one row is held at a time. The rows are committed in growing batches, each readable once committed, while
     * the rest is copied: the result is {@link #growing} until {@link #ended} or dropped. Stops, returning false, once
     * {@code maxRows} rows would be exceeded or {@code stop} says so; the caller then drops the partial table.
     * {@code reported} are the columns as clients see them; {@code started} runs once the result is {@link #growing},
     * before its first row.
     */
    public boolean load(String queryId, List<StoreColumn> columns, List<Column> reported, RowSource source,
                        long maxRows, java.util.function.BooleanSupplier stop, Runnable started) throws SQLException {
        return arrivals.load(queryId, tableFor(queryId), tableName(queryId), catalog, columns, reported, source,
                maxRows, stop, started);
    }

    /**
     * A result the engine is about to store in one statement ({@link #materializeNumberedStatement}), whose first
     * {@code capacity} rows are kept as it hands them over: readable as pages ({@link #readGrowingPage}) before the
     * statement ends. It is {@link #growing} until {@link #ended} or dropped; {@code columns} as clients see them.
     */
    public GrowingResult capturing(String queryId, List<Column> columns, int capacity) {
        return arrivals.capturing(queryId, tableFor(queryId), columns, capacity);
    }

    /** The result of a query while it is stored as it arrives ({@link #load}, {@link #capturing}), or null. */
    public GrowingResult growing(String queryId) {
        return arrivals.growing(queryId);
    }

    /**
     * The storing of a query's result as it arrived has ended, and its query's state says how: the rows no longer
     * grow, and whoever waited for rows learns it.
     */
    public void ended(String queryId) {
        arrivals.ended(queryId);
    }

    /**
     * A page of a result while it is stored as it arrives, its total not known yet; null unless all of its rows are
     * readable, or if the result was dropped meanwhile.
     */
    public Page readGrowingPage(GrowingResult result, long offset, int pageSize) {
        return arrivals.readPage(result, offset, pageSize);
    }

    /** The rows of a warehouse's result, one at a time; {@code null} at the end. */
    public interface RowSource {
        Object[] next() throws SQLException;
    }

    /** How a column of a warehouse's result is kept in the store: its kind and its DuckDB column type. */
    public record StoreColumn(String name, String reportedType, StoreType kind, String ddl) {
    }

    /** The kinds of store columns for copied results. */
    public enum StoreType {
        BIGINT, DECIMAL, DOUBLE, BOOLEAN, VARCHAR, JSON, DATE, TIME, TIMESTAMP, TIMESTAMPTZ, BLOB
    }

    /** Drops a query's stored result, if there is one. */
    public void drop(String queryId) {
        ended(queryId);
        StoredResult removed = results.remove(queryId);
        pages.invalidate(queryId);
        if (!QUERY_ID.matcher(queryId).matches()) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + tableFor(queryId));
            if (removed != null) {
                LOG.debug("Dropped the stored result of query {}", queryId);
            }
        } catch (SQLException e) {
            LOG.warn("Cannot drop the stored result of query {}: {}", queryId, e.getMessage());
        }
    }

    /**
     * How many tables the store's catalog holds for a query (0 or 1): its result, stored or being stored, or one a
     * failed write left behind, which there never should be.
     */
    public int tableCount(String queryId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(tableCountSql)) {
            ps.setString(1, catalog);
            ps.setString(2, tableName(queryId));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot list the result store's tables: " + e.getMessage(), e);
        }
    }

    public int size() {
        return results.size();
    }
}
