package io.warehouseapi.snowflake;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import io.warehouseapi.model.Column;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.ResultStore.StoreColumn;
import io.warehouseapi.store.SqlText;
import io.warehouseapi.warehouse.WarehouseStatements;
import net.snowflake.client.api.resultset.SnowflakeResultSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a finished query's persisted result into the local result store, streaming, in the order of the number the
 * question's SELECT gave its rows ({@code sql/snowflake/result-copy.sql}): RESULT_SCAN promises no other. A result
 * larger than the local copy allows is known from the first answer (the driver lists its chunks with their row
 * counts) and left to be paged in Snowflake, without a copy begun and thrown away. A copy that fails for any reason
 * but an expired result or a cancel reads the result again once, with new URLs for its chunks (a chunk's pre-signed
 * URL may have expired, which the driver retries until {@code warehouse.snowflake.retry-timeout}).
 */
final class ResultCopy {

    private static final Logger LOG = LoggerFactory.getLogger(ResultCopy.class);
    private static final String COPY_SQL = SqlText.load("sql/snowflake/result-copy.sql");
    /** Snowflake's error 000710: the result of the query has expired. */
    private static final int RESULT_EXPIRED = 710;
    static final String RESULT_EXPIRED_WORDS = "The result has expired in Snowflake (it keeps a result for 24 hours); "
                                               + "run the view again.";
    static final String UNREADABLE_WORDS = "The result could not be read from Snowflake.";

    private final SnowflakeSessions sessions;
    private final ResultStore store;
    private final WarehouseStatements statements;
    private final long maxLocalRows;

    /** How a copy ended: stored, left to be paged in Snowflake (with its size and columns), cancelled, or failed. */
    record Outcome(Kind kind, String error, long total, List<Column> columns, List<StoreColumn> storeColumns) {

        enum Kind { STORED, TOO_LARGE, CANCELLED, FAILED }

        static Outcome of(Kind kind) {
            return new Outcome(kind, null, -1, List.of(), List.of());
        }

        static Outcome failed(String error) {
            return new Outcome(Kind.FAILED, error, -1, List.of(), List.of());
        }
    }

    ResultCopy(SnowflakeSessions sessions, ResultStore store, WarehouseStatements statements, long maxLocalRows) {
        this.sessions = sessions;
        this.store = store;
        this.statements = statements;
        this.maxLocalRows = maxLocalRows;
    }

    /**
     * Copies the result of a query run under {@code role} (null: the service's own); stops once cancelled. Its rows
     * are readable as they are copied ({@link ResultStore#growing}); {@code storing} runs when the store begins to
     * take them.
     */
    Outcome copy(String queryId, String role, BooleanSupplier cancelled, Runnable storing) {
        for (int attempt = 1; ; attempt++) {
            try {
                return copyOnce(queryId, role, cancelled, storing);
            } catch (SQLException | RuntimeException e) {
                store.drop(queryId);
                boolean expired = resultExpired(e);
                boolean again = attempt == 1 && !expired && !cancelled.getAsBoolean();
                LOG.warn("Cannot copy the result of query {}{}: {}", queryId, again ? "; reading it again" : "",
                        e.getMessage() == null ? e : e.getMessage().lines().findFirst().orElse(""));
                if (!again) {
                    return cancelled.getAsBoolean() ? Outcome.of(Outcome.Kind.CANCELLED)
                            : Outcome.failed(expired ? RESULT_EXPIRED_WORDS : UNREADABLE_WORDS);
                }
            }
        }
    }

    private Outcome copyOnce(String queryId, String role, BooleanSupplier cancelled, Runnable storing)
            throws SQLException {
        long started = System.nanoTime();
        List<StoreColumn> columns = new ArrayList<>();
        long[] total = {-1};
        boolean complete = sessions.forCopy(role, connection -> {
            columns.clear();
            try (PreparedStatement statement = connection.prepareStatement(COPY_SQL)) {
                statement.setString(1, queryId);
                try (ResultSet rs = statement.executeQuery()) {
                    ResultSetMetaData meta = rs.getMetaData();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        columns.add(SnowflakeTypes.storeColumn(meta, i));
                    }
                    // the size is known from the first answer, before any chunk is downloaded
                    total[0] = rowCount(rs);
                    if (total[0] > maxLocalRows) {
                        return false;
                    }
                    return store.load(queryId, columns, SnowflakeTypes.reported(columns),
                            () -> rs.next() ? SnowflakeTypes.row(rs, columns) : null, maxLocalRows, cancelled, storing);
                }
            }
        });
        if (complete) {
            store.register(queryId, SnowflakeTypes.reported(columns));
            LOG.debug("query={} result copied in {} ms", queryId, (System.nanoTime() - started) / 1_000_000);
            return Outcome.of(Outcome.Kind.STORED);
        }
        store.drop(queryId);
        if (cancelled.getAsBoolean()) {
            return Outcome.of(Outcome.Kind.CANCELLED);
        }
        long size = total[0] >= 0 ? total[0] : statements.countResultScan(queryId);
        LOG.info("query={} result of {} rows, over {}: paged with RESULT_SCAN", queryId, size, maxLocalRows);
        return new Outcome(Outcome.Kind.TOO_LARGE, null, size, SnowflakeTypes.reported(columns), List.copyOf(columns));
    }

    /**
     * The rows of a result set, from the driver's description of its chunks (the first answer lists them all with
     * their row counts); -1 if the driver cannot say.
     */
    private static long rowCount(ResultSet rs) {
        try {
            long rows = 0;
            for (var part : rs.unwrap(SnowflakeResultSet.class).getResultSetSerializables(Long.MAX_VALUE)) {
                rows += part.getRowCount();
            }
            return rows;
        } catch (SQLException | RuntimeException e) {
            LOG.debug("The driver cannot tell a result's size before reading it: {}", e.getMessage());
            return -1;
        }
    }

    /** Whether Snowflake refused because the result has expired (000710), anywhere in the causes. */
    static boolean resultExpired(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && (sql.getErrorCode() == RESULT_EXPIRED
                                                      || "000710".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
