package io.warehouseapi.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.warehouseapi.warehouse.Column;
import io.warehouseapi.warehouse.Identifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local result store: every finished query's result as a table in a DuckDB database file of its own, attached to
 * the store's DuckDB instance under the catalog name {@code results}. The equivalent of Snowflake's persisted query
 * results: pages are read from here, never by running the view again, and a page at the end of a result costs what
 * a page at its start costs. Results are dropped when their query is forgotten; the file is started afresh at every
 * start, since no query id outlives the process that issued it.
 */
public class ResultStore {

    private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);
    private static final String CATALOG = "results";
    private static final Pattern QUERY_ID = Pattern.compile("[A-Za-z0-9-]{1,128}");

    private final DataSource dataSource;
    private final Path file;
    private final String materializeSql = SqlText.load("sql/store/materialize.sql");
    private final String pageSql = SqlText.load("sql/store/page.sql");
    private final String columnsSql = SqlText.load("sql/store/columns.sql");
    private final String countSql = SqlText.load("sql/store/count.sql");
    private final Map<String, StoredResult> results = new ConcurrentHashMap<>();

    public ResultStore(DataSource dataSource, Path file) {
        this.dataSource = dataSource;
        this.file = file.toAbsolutePath().normalize();
    }

    /** Starts the store on an empty file and attaches it. */
    public void start() {
        try {
            Files.createDirectories(file.getParent());
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DETACH DATABASE IF EXISTS " + CATALOG);
                Files.deleteIfExists(file);
                Files.deleteIfExists(Path.of(file + ".wal"));
                statement.execute("ATTACH '" + file.toString().replace("'", "''") + "' AS " + CATALOG);
            }
            LOG.info("Result store started at {}", file);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot open the result store at " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the result store at " + file, e);
        }
    }

    /** The store's table for a query id; the id is checked, as it becomes part of an identifier. */
    public String tableFor(String queryId) {
        if (!QUERY_ID.matcher(queryId).matches()) {
            throw new IllegalArgumentException("Not a query id the store accepts");
        }
        return CATALOG + ".main." + Identifiers.quote("q_" + queryId.replace('-', '_'));
    }

    /** The statement that materializes a SELECT into the store's table for a query. */
    public String materializeStatement(String queryId, String select) {
        return materializeSql.replace("{table}", tableFor(queryId)).replace("{source}", select);
    }

    /** Records a result materialized into {@link #tableFor(String)}, reading its columns and row count. */
    public StoredResult register(String queryId) throws SQLException {
        String table = tableFor(queryId);
        List<Column> columns = new ArrayList<>();
        long rows;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement ps = connection.prepareStatement(columnsSql)) {
                ps.setString(1, CATALOG);
                ps.setString(2, "q_" + queryId.replace('-', '_'));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new Column(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery(countSql.replace("{table}", table))) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        StoredResult result = new StoredResult(queryId, table, columns, rows, Instant.now());
        results.put(queryId, result);
        return result;
    }

    public StoredResult find(String queryId) {
        return results.get(queryId);
    }

    /** Reads one page; an offset at or past the end gives an empty page. */
    public Page readPage(StoredResult result, long offset, int pageSize) {
        List<Object[]> rows = new ArrayList<>(Math.min(pageSize, 1024));
        if (offset < result.totalRows()) {
            String sql = pageSql.replace("{table}", result.table());
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement ps = connection.prepareStatement(sql)) {
                ps.setLong(1, offset);
                ps.setLong(2, offset + pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    int count = meta.getColumnCount();
                    int[] types = new int[count];
                    for (int i = 0; i < count; i++) {
                        types[i] = meta.getColumnType(i + 1);
                    }
                    while (rs.next()) {
                        Object[] row = new Object[count];
                        for (int i = 0; i < count; i++) {
                            row[i] = value(rs, i + 1, types[i]);
                        }
                        rows.add(row);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read a page of query " + result.queryId() + ": "
                                                + e.getMessage(), e);
            }
        }
        return new Page(result.queryId(), offset, pageSize, result.totalRows(), result.columns(), rows);
    }

    private static Object value(ResultSet rs, int index, int type) throws SQLException {
        Object value = switch (type) {
            case Types.TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(index, OffsetDateTime.class);
            case Types.DATE -> rs.getObject(index, LocalDate.class);
            case Types.TIME -> rs.getObject(index, LocalTime.class);
            default -> rs.getObject(index);
        };
        return rs.wasNull() ? null : value;
    }

    /** Drops a query's stored result, if there is one. */
    public void drop(String queryId) {
        StoredResult removed = results.remove(queryId);
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

    public int size() {
        return results.size();
    }
}
