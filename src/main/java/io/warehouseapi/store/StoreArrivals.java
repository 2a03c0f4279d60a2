package io.warehouseapi.store;

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
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.Identifiers;
import io.warehouseapi.store.ResultStore.RowSource;
import io.warehouseapi.store.ResultStore.StoreColumn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results of {@link ResultStore} while they are stored as they arrive, each a {@link GrowingResult}: a warehouse's
 * result set copied in with DuckDB's appender in growing batches, each readable once committed; or a result the engine
 * stores in one statement, whose first rows are kept as it hands them over ({@link FirstRows}).
 */
final class StoreArrivals {

    private static final Logger LOG = LoggerFactory.getLogger(ResultStore.class);
    /** Rows of a copied result committed first: a first page's worth, readable while the rest is copied. */
    static final long FIRST_BATCH_ROWS = 100;
    /** The most rows committed at once as a copy goes on (each commit doubles the last, up to this). */
    static final long MAX_BATCH_ROWS = 131_072;

    private final DataSource dataSource;
    /** The store's page statement ({@code sql/store/page.sql}) in its row-id form, without its table. */
    private final String pageSql;
    private final Map<String, GrowingResult> growing = new ConcurrentHashMap<>();

    StoreArrivals(DataSource dataSource, String pageSql) {
        this.dataSource = dataSource;
        this.pageSql = pageSql.replace("{columns}", "*").replace("{position}", "rowid").replace("{order}", "");
    }

    /** See {@link ResultStore#capturing}. */
    GrowingResult capturing(String queryId, String table, List<Column> columns, int capacity) {
        GrowingResult result = new GrowingResult(queryId, table, columns, Instant.now(), new FirstRows(capacity));
        begin(result);
        return result;
    }

    /** Starts to keep {@code result}, ending any earlier one of its query (a copy read again from its start). */
    private void begin(GrowingResult result) {
        GrowingResult earlier = growing.put(result.queryId(), result);
        if (earlier != null) {
            earlier.end();
        }
    }

    /**
     * See {@link ResultStore#load}: the rows are committed in batches of {@link #FIRST_BATCH_ROWS}, doubling up to
     * {@link #MAX_BATCH_ROWS}, into {@code table} ({@code tableName} in {@code catalog}).
     */
    boolean load(String queryId, String table, String tableName, String catalog, List<StoreColumn> columns,
                 List<Column> reported, RowSource source, long maxRows, BooleanSupplier stop, Runnable started)
            throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(table).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            ddl.append(i == 0 ? "" : ", ").append(Identifiers.quote("c" + i)).append(' ')
                    .append(columns.get(i).ddl());
        }
        ddl.append(')');
        try (Connection connection = dataSource.getConnection()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(ddl.toString());
            }
            GrowingResult result = new GrowingResult(queryId, table, reported, Instant.now());
            begin(result);
            started.run();
            long rows = 0;
            long batch = FIRST_BATCH_ROWS;
            long nextCommit = batch;
            org.duckdb.DuckDBConnection duck = connection.unwrap(org.duckdb.DuckDBConnection.class);
            try (org.duckdb.DuckDBAppender appender = duck.createAppender(catalog, "main", tableName)) {
                Object[] row;
                while ((row = source.next()) != null) {
                    if (++rows > maxRows || stop.getAsBoolean()) {
                        return false;
                    }
                    appender.beginRow();
                    for (int i = 0; i < row.length; i++) {
                        StoreValues.append(appender, columns.get(i).kind(), row[i]);
                    }
                    appender.endRow();
                    if (rows == nextCommit) {
                        appender.flush();
                        result.stored(rows);
                        batch = Math.min(batch * 2, MAX_BATCH_ROWS);
                        nextCommit = rows + batch;
                    }
                }
            }
            result.stored(rows);
            return true;
        }
    }

    GrowingResult growing(String queryId) {
        return growing.get(queryId);
    }

    void ended(String queryId) {
        GrowingResult result = growing.remove(queryId);
        if (result != null) {
            result.end();
        }
    }

    /** See {@link ResultStore#readGrowingPage}. */
    Page readPage(GrowingResult result, long offset, int pageSize) {
        if (offset + pageSize > result.stored()) {
            return null;
        }
        FirstRows first = result.firstRows();
        if (first != null) {
            return first.page(offset, pageSize, () -> Page.of(result.queryId(), offset, pageSize,
                    Page.UNKNOWN_TOTAL, result.columns(), first.rows((int) offset, (int) offset + pageSize)));
        }
        List<Object[]> rows = new ArrayList<>(Math.min(pageSize, 1024));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ps = connection.prepareStatement(pageSql.replace("{table}", result.table()))) {
            ps.setLong(1, offset);
            ps.setLong(2, offset + pageSize);
            try (ResultSet rs = ps.executeQuery()) {
                StoreValues.readRows(rs, rows, pageSize);
            }
        } catch (SQLException e) {
            LOG.debug("Cannot read a page of query {} while it is copied: {}", result.queryId(), e.getMessage());
            return null;
        }
        return Page.of(result.queryId(), offset, pageSize, Page.UNKNOWN_TOTAL, result.columns(), rows);
    }
}
