package io.warehouseapi.snowflake;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.Identifiers;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Dialect;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.ResultStore.StoreColumn;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.ClientErrors;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.StoredResults;
import io.warehouseapi.warehouse.ViewCatalog;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import io.warehouseapi.warehouse.WarehouseStatements;
import io.warehouseapi.warehouse.WarehouseStatus;
import net.snowflake.client.api.connection.SnowflakeConnection;
import net.snowflake.client.api.resultset.QueryStatus;
import net.snowflake.client.api.resultset.SnowflakeResultSet;
import net.snowflake.client.api.statement.SnowflakePreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snowflake behind the same routes. A question's SELECT runs asynchronously in Snowflake, its values bound
 * ({@code executeAsyncQuery} on a prepared statement); its state
 * comes from the monitoring call {@code getQueryStatus}, which wakes no warehouse. The SELECT numbers its rows
 * ({@link io.warehouseapi.question.Dialect#ROW_NUMBER_COLUMN}), in the question's order if it has one. Once it
 * succeeded, its persisted result is streamed once into the local result store in that number's order
 * ({@code sql/snowflake/result-copy.sql}), so that every page is a local read; a result larger than
 * {@code warehouse.snowflake.local-copy.max-rows} (known from the first answer, before any row is copied) is paged in
 * Snowflake with {@code RESULT_SCAN} in the same order instead, its parameters bound.
 */
public class SnowflakeWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeWarehouse.class);
    /** Snowflake's error 000630: the statement reached STATEMENT_TIMEOUT_IN_SECONDS and was cancelled. */
    private static final int STATEMENT_TIMEOUT = 630;
    private static final Duration RESULT_LIFETIME = Duration.ofHours(24);
    /** Snowflake's error 000710: the result of the query has expired. */
    private static final int RESULT_EXPIRED = 710;
    /** Snowflake's error 390114: the session's master token has expired; it must sign in again. */
    private static final int MASTER_TOKEN_EXPIRED = 390114;
    /** Reads a persisted result in the order of the number the question's SELECT gave its rows. */
    private static final String COPY_SQL = io.warehouseapi.store.SqlText.load("sql/snowflake/result-copy.sql");
    private static final String RESULT_EXPIRED_WORDS = "The result has expired in Snowflake (it keeps a result for 24 "
                                                       + "hours); run the view again.";

    private final DataSource dataSource;
    private final RolePools rolePools;
    /** How long monitoring may have no record of a query before it is given up (it has none for a moment at first). */
    private volatile Duration noDataGrace = Duration.ofSeconds(30);
    private volatile int maxRunning = 16;
    /** Submits under way: places taken before their queries are known. */
    private final java.util.concurrent.atomic.AtomicInteger reserved = new java.util.concurrent.atomic.AtomicInteger();
    private final ResultStore store;
    private final ExecutorService copier;
    private final String database;
    private final String schema;
    private final long maxLocalRows;
    private final WarehouseStatements statements;
    private final Map<String, RemoteQuery> queries = new ConcurrentHashMap<>();
    /** Per pool (by role; "" for the service's own), the copies that may hold one of its sessions at once. */
    private final Map<String, java.util.concurrent.Semaphore> copySlots = new ConcurrentHashMap<>();
    private final ViewCatalog catalog;
    /** The results copied into the store. */
    private final StoredResults local;
    /** Those, and the results too large to copy, read from Snowflake a page at a time. */
    private final Results results;

    /**
     * @param statements the plain-SQL statements (catalog, cancel, RESULT_SCAN), sent through the routes'
     *                   {@code jdbc:} steps on this adapter's pool
     */
    public SnowflakeWarehouse(DataSource dataSource, WarehouseStatements statements, ResultStore store,
                              ExecutorService copier, String database, String schema, String exposedViewsPattern,
                              long maxLocalRows) {
        this(dataSource, null, statements, store, copier, database, schema, exposedViewsPattern, maxLocalRows);
    }

    /**
     * @param rolePools the pools of the roles the access policies name ({@code snowflake_role}); null: none
     */
    public SnowflakeWarehouse(DataSource dataSource, RolePools rolePools, WarehouseStatements statements,
                              ResultStore store, ExecutorService copier, String database, String schema,
                              String exposedViewsPattern, long maxLocalRows) {
        this.dataSource = dataSource;
        this.rolePools = rolePools;
        this.statements = statements;
        this.store = store;
        this.copier = copier;
        this.database = database;
        this.schema = schema;
        this.catalog = new ViewCatalog(statements, schema, exposedViewsPattern,
                view -> view,
                view -> Identifiers.qualified(database, schema, view));
        this.maxLocalRows = maxLocalRows;
        this.local = new StoredResults(store, this::copied, null);
        this.results = new Results() {
            @Override
            public StoredResult result(String queryId) {
                return local.result(queryId);
            }

            @Override
            public Page readPage(String queryId, long offset, int pageSize) {
                return SnowflakeWarehouse.this.readPage(queryId, offset, pageSize);
            }

            @Override
            public InputStream export(String queryId, ExportFormat format, Runnable onClose) {
                return local.export(queryId, format, onClose);
            }
        };
    }

    @Override
    public String kind() {
        return "snowflake";
    }

    /** How long monitoring may have no record of a query before it is given up ({@code ...no-data-grace}). */
    public SnowflakeWarehouse noDataGrace(Duration grace) {
        this.noDataGrace = grace;
        return this;
    }

    /**
     * How many of the API's queries may be queued or running in Snowflake at once ({@code ...max-running-queries}):
     * each keeps the warehouse running, and on a multi-cluster warehouse may start another cluster.
     */
    public SnowflakeWarehouse maxRunning(int queries) {
        this.maxRunning = queries;
        return this;
    }

    /** Takes a place among the queries Snowflake runs for the API, or refuses as busy when none is free. */
    private void reserve() {
        synchronized (reserved) {
            long inSnowflake = reserved.get();
            for (RemoteQuery query : queries.values()) {
                if (!query.state.isFinished() && !query.copying) {
                    inSnowflake++;
                }
            }
            if (inSnowflake >= maxRunning) {
                throw new WarehouseException(WarehouseException.Reason.BUSY, "the API's queries in Snowflake are at "
                        + "their limit, warehouse.snowflake.max-running-queries = " + maxRunning);
            }
            reserved.incrementAndGet();
        }
    }

    /** Whether Snowflake refused because the result has expired (000710), anywhere in the causes. */
    private static boolean resultExpired(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && (sql.getErrorCode() == RESULT_EXPIRED
                                                      || "000710".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** Snowflake keeps a query's result for 24 hours after it ran: no id names it for longer. */
    @Override
    public Duration resultLifetime() {
        return RESULT_LIFETIME;
    }

    /** The sessions a role's queries run in: the service's own pool, or the role's. */
    private DataSource pool(String role) {
        if (role == null) {
            return dataSource;
        }
        if (rolePools == null) {
            throw new WarehouseException(WarehouseException.Reason.UNREACHABLE, "no pool for Snowflake role " + role);
        }
        return rolePools.forRole(role);
    }

    /**
     * A session's heartbeat, which Snowflake answers without a warehouse (a statement, even the catalog's, would keep
     * the warehouse running): an outage while the API is idle still takes readiness down.
     */
    @Override
    public void probe() {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(10)) {
                LOG.warn("Snowflake did not answer a session's heartbeat");
                catalog.unavailable();
            }
        } catch (SQLException e) {
            LOG.warn("Snowflake cannot be reached: {}", firstLine(e));
            catalog.unavailable();
        }
    }

    @Override
    public ViewCatalog catalog() {
        return catalog;
    }

    @Override
    public String submit(Selection selection) {
        Selection.Statement select = selection.statement(Dialect.SNOWFLAKE);
        reserve();
        try {
            String queryId = inSession(selection.role(), connection -> {
                try (PreparedStatement statement = connection.prepareStatement(select.sql())) {
                    List<Object> parameters = select.parameters();
                    for (int i = 0; i < parameters.size(); i++) {
                        statement.setObject(i + 1, parameters.get(i));
                    }
                    try (ResultSet rs = statement.unwrap(SnowflakePreparedStatement.class).executeAsyncQuery()) {
                        return rs.unwrap(SnowflakeResultSet.class).getQueryID();
                    }
                }
            });
            queries.put(queryId, new RemoteQuery(queryId, selection.role()));
            return queryId;
        } catch (SQLTransientConnectionException e) {
            // every session of the pool is in use: busy, not an outage
            LOG.warn("No Snowflake session was free for a query on {}: {}", selection.view(), firstLine(e));
            throw new WarehouseException(WarehouseException.Reason.BUSY, "no Snowflake session is free");
        } catch (SQLException e) {
            LOG.warn("Snowflake did not accept a query on {}: {}", selection.view(), firstLine(e));
            catalog.unavailable();
            throw new WarehouseException(WarehouseException.Reason.UNREACHABLE, "Snowflake did not accept the query");
        } finally {
            // known from here on (or refused): its place is counted among the queries, or free again
            reserved.decrementAndGet();
        }
    }

    /** Work done in one Snowflake session. */
    private interface SessionWork<T> {
        T in(Connection connection) throws SQLException;
    }

    /**
     * Does some work in a session of a role's pool. A session whose master token has expired (390114: the driver
     * cannot renew it) is taken out of its pool, with the pool's other sessions, and the work done once more in a new
     * session, which signs in again, so that the request that meets the expiry is answered, not failed.
     */
    private <T> T inSession(String role, SessionWork<T> work) throws SQLException {
        DataSource sessions = pool(role);
        Connection connection = sessions.getConnection();
        try {
            return work.in(connection);
        } catch (SQLException e) {
            if (!signInExpired(e)) {
                throw e;
            }
            LOG.info("A Snowflake session's sign-in has expired (390114); signing in again");
            if (sessions instanceof HikariDataSource hikari) {
                // the pool's other sessions signed in about as long ago: they are renewed as well, each when free
                hikari.evictConnection(connection);
                hikari.getHikariPoolMXBean().softEvictConnections();
            }
            try (Connection fresh = sessions.getConnection()) {
                return work.in(fresh);
            }
        } finally {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing a Snowflake session: {}", e.getMessage());
            }
        }
    }

    /** Whether Snowflake refused because the session's master token has expired (390114). */
    private static boolean signInExpired(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getErrorCode() == MASTER_TOKEN_EXPIRED) {
                return true;
            }
        }
        return false;
    }

    @Override
    public WarehouseStatus status(String queryId) {
        RemoteQuery query = queries.get(queryId);
        if (query == null) {
            return null;
        }
        synchronized (query) {
            if (query.state.isFinished() || query.copying) {
                return query.status();
            }
        }
        QueryStatus remote;
        try {
            remote = inSession(query.role, connection -> connection.unwrap(SnowflakeConnection.class)
                    .getQueryStatus(queryId));
        } catch (SQLException e) {
            // a lost connection mid-poll: the query is not lost, the next poll asks again
            LOG.warn("Cannot poll query {}: {}", queryId, firstLine(e));
            return query.status();
        }
        synchronized (query) {
            if (query.state.isFinished() || query.copying) {
                return query.status();
            }
            switch (remote.getStatus()) {
                case SUCCESS -> startCopy(query);
                case FAILED_WITH_ERROR, FAILED_WITH_INCIDENT -> {
                    if (query.cancelRequested) {
                        query.state = QueryState.CANCELLED;
                    } else if (remote.getErrorCode() == STATEMENT_TIMEOUT) {
                        // stopped by STATEMENT_TIMEOUT_IN_SECONDS: a timeout, in Snowflake's words
                        LOG.info("query={} reached Snowflake's statement timeout: {}", query.queryId,
                                remote.getErrorMessage());
                        query.state = QueryState.CANCELLED;
                        query.timedOut = true;
                        query.error = ClientErrors.forClient(remote.getErrorMessage());
                    } else {
                        query.state = QueryState.FAILED;
                        // Snowflake's whole words for the operator; for the client only what concerns its question
                        LOG.info("query={} failed in Snowflake: {}", query.queryId, remote.getErrorMessage());
                        query.error = ClientErrors.forClient(remote.getErrorMessage());
                    }
                }
                case ABORTED, ABORTING -> query.state = QueryState.CANCELLED;
                case DISCONNECTED -> {
                    query.state = QueryState.FAILED;
                    query.error = "The query's Snowflake session was disconnected.";
                }
                case QUEUED, QUEUED_REPAIRING_WAREHOUSE, RESUMING_WAREHOUSE, BLOCKED -> query.state = QueryState.QUEUED;
                case NO_DATA -> {
                    // what monitoring says for a moment after a submit, and for good for an id it cannot see
                    if (query.noDataSince == 0) {
                        query.noDataSince = System.nanoTime();
                    } else if (System.nanoTime() - query.noDataSince > noDataGrace.toNanos()) {
                        LOG.warn("query={}: Snowflake has no record of it after {}; giving it up", query.queryId,
                                noDataGrace);
                        query.state = QueryState.FAILED;
                        query.error = "Snowflake has no record of this query (any more); run the view again.";
                    }
                }
                default -> query.state = QueryState.RUNNING;
            }
            if (remote.getStatus() != QueryStatus.Status.NO_DATA) {
                query.noDataSince = 0;
            }
            return query.status();
        }
    }

    /** Streams the persisted result into the local store once, on the copier's threads; RUNNING until it is done. */
    private void startCopy(RemoteQuery query) {
        query.copying = true;
        query.state = QueryState.RUNNING;
        try {
            copier.submit(() -> copy(query));
        } catch (RejectedExecutionException e) {
            query.copying = false;
        }
    }

    /**
     * Streams a result into the store, once more if the first attempt failed for any reason but an expired result or
     * a cancel: the second reads the result again, with new URLs for its chunks (a chunk's pre-signed URL may have
     * expired, which the driver retries until {@code warehouse.snowflake.retry-timeout}), after the partial copy is
     * dropped.
     */
    private void copy(RemoteQuery query) {
        for (int attempt = 1; ; attempt++) {
            try {
                copyOnce(query);
                return;
            } catch (SQLException | RuntimeException e) {
                store.drop(query.queryId);
                boolean again = attempt == 1 && !resultExpired(e) && !query.cancelRequested;
                LOG.warn("Cannot copy the result of query {}{}: {}", query.queryId, again ? "; reading it again" : "",
                        firstLine(e));
                if (!again) {
                    finish(query, QueryState.FAILED, resultExpired(e) ? RESULT_EXPIRED_WORDS
                            : "The result could not be read from Snowflake.");
                    return;
                }
            }
        }
    }

    /**
     * A place among the copies that may hold a session of a pool at once: one fewer than its sessions, so that a
     * submit or a poll always finds one free however many results are being copied.
     */
    private java.util.concurrent.Semaphore copySlots(String role) {
        return copySlots.computeIfAbsent(role == null ? "" : role, key -> {
            DataSource sessions = pool(role);
            int size = sessions instanceof HikariDataSource hikari ? hikari.getMaximumPoolSize() : 2;
            return new java.util.concurrent.Semaphore(Math.max(1, size - 1), true);
        });
    }

    private void copyOnce(RemoteQuery query) throws SQLException {
        java.util.concurrent.Semaphore slots = copySlots(query.role);
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a session to copy a result", e);
        }
        try {
            copyHoldingSlot(query);
        } finally {
            slots.release();
        }
    }

    private void copyHoldingSlot(RemoteQuery query) throws SQLException {
        long started = System.nanoTime();
        boolean complete;
        List<StoreColumn> columns = new ArrayList<>();
        long[] total = {-1};
        complete = inSession(query.role, connection -> {
            columns.clear();
            try (PreparedStatement statement = connection.prepareStatement(COPY_SQL)) {
                statement.setString(1, query.queryId);
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
                    return store.load(query.queryId, columns,
                            () -> rs.next() ? SnowflakeTypes.row(rs, columns) : null, maxLocalRows,
                            () -> query.cancelRequested);
                }
            }
        });
        if (complete) {
            store.register(query.queryId, SnowflakeTypes.reported(columns));
        }
        if (!complete) {
            store.drop(query.queryId);
            if (query.cancelRequested) {
                finish(query, QueryState.CANCELLED, null);
                return;
            }
            // too large for the local copy: page it in Snowflake
            try {
                query.fallbackColumns = SnowflakeTypes.reported(columns);
                query.fallbackStoreColumns = List.copyOf(columns);
                query.fallbackTotal = total[0] >= 0 ? total[0] : statements.countResultScan(query.queryId);
                query.fallback = true;
                LOG.info("query={} result of {} rows, over {}: paged with RESULT_SCAN", query.queryId,
                        query.fallbackTotal, maxLocalRows);
            } catch (RuntimeException e) {
                LOG.warn("Cannot count the result of query {} with RESULT_SCAN: {}", query.queryId, firstLine(e));
                finish(query, QueryState.FAILED, "The result could not be read from Snowflake.");
                return;
            }
        }
        LOG.debug("query={} result copied in {} ms", query.queryId, (System.nanoTime() - started) / 1_000_000);
        finish(query, QueryState.SUCCESS, null);
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

    private static void finish(RemoteQuery query, QueryState state, String error) {
        synchronized (query) {
            query.copying = false;
            if (!query.state.isFinished() || state == QueryState.CANCELLED) {
                query.state = query.cancelRequested ? QueryState.CANCELLED : state;
                query.error = error;
            }
        }
        query.copied.complete(null);
    }

    /** Snowflake's own progress is learnt by polling; the local copy that follows it signals its end. */
    @Override
    public Optional<CompletionStage<Void>> whenEnded(String queryId) {
        RemoteQuery query = queries.get(queryId);
        return query == null || !query.copying ? Optional.empty() : Optional.of(query.copied);
    }

    @Override
    public Results results() {
        return results;
    }

    /** Whether a query succeeded and its result was copied into the store. */
    private boolean copied(String queryId) {
        RemoteQuery query = queries.get(queryId);
        return query != null && query.state == QueryState.SUCCESS && !query.fallback;
    }

    /**
     * A page of a query that succeeded: from the store, or, for a result too large to copy, from Snowflake with
     * RESULT_SCAN.
     */
    private Page readPage(String queryId, long offset, int pageSize) {
        RemoteQuery query = queries.get(queryId);
        if (query == null || query.state != QueryState.SUCCESS) {
            return null;
        }
        if (!query.fallback) {
            return local.readPage(queryId, offset, pageSize);
        }
        List<Object[]> rows = new ArrayList<>();
        if (offset < query.fallbackTotal) {
            List<StoreColumn> columns = query.fallbackStoreColumns;
            try {
                for (Map<String, Object> read : statements.readResultScanPage(queryId, pageSize, offset)) {
                    Object[] row = new Object[columns.size()];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = SnowflakeTypes.fromJdbc(read.get(columns.get(i).name()), columns.get(i));
                    }
                    rows.add(row);
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot read a page of query {} with RESULT_SCAN: {}", queryId, firstLine(e));
                throw new WarehouseException(resultExpired(e) ? WarehouseException.Reason.RESULT_EXPIRED
                        : WarehouseException.Reason.UNREACHABLE, "a page could not be read with RESULT_SCAN");
            }
        }
        return Page.of(queryId, offset, pageSize, query.fallbackTotal, query.fallbackColumns, rows);
    }

    @Override
    public void cancel(String queryId) {
        RemoteQuery query = queries.get(queryId);
        if (query == null) {
            return;
        }
        boolean wasCopying;
        synchronized (query) {
            if (query.state.isFinished()) {
                return;
            }
            query.cancelRequested = true;
            wasCopying = query.copying;
            query.state = QueryState.CANCELLED;
        }
        if (wasCopying) {
            return; // the query itself has ended; the copy stops at its next row
        }
        try {
            statements.cancelSnowflakeQuery(queryId);
        } catch (RuntimeException e) {
            LOG.warn("Cannot cancel query {}: {}", queryId, firstLine(e));
        }
    }

    /**
     * Takes up a query another replica started: Snowflake knows it by its id from any session of the service user,
     * so it is polled, and its persisted result copied into this replica's store, as if it had been started here.
     */
    @Override
    public String adopt(String queryId) {
        // Snowflake serves a query's status and result to any session of the user that ran it
        queries.computeIfAbsent(queryId, id -> new RemoteQuery(id, null));
        return "";
    }

    /** A Snowflake query runs on in Snowflake after this process has gone, and any replica can take it up. */
    @Override
    public boolean outlivesProcess() {
        return true;
    }

    @Override
    public void forget(String queryId) {
        cancel(queryId);
        queries.remove(queryId);
        store.drop(queryId);
    }

    @Override
    public int runningStatements() {
        int running = 0;
        for (RemoteQuery query : queries.values()) {
            if (!query.state.isFinished() || query.copying) {
                running++;
            }
        }
        return running;
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static final class RemoteQuery {
        final String queryId;
        /** The role it runs under (its sessions' pool); null: the service's own. */
        final String role;
        QueryState state = QueryState.QUEUED;
        String error;
        volatile boolean cancelRequested;
        volatile boolean copying;
        final CompletableFuture<Void> copied = new CompletableFuture<>();
        volatile boolean fallback;
        volatile long fallbackTotal;
        volatile List<Column> fallbackColumns = List.of();
        volatile List<StoreColumn> fallbackStoreColumns = List.of();

        /** When monitoring first had no record of it, in a row ({@code System.nanoTime}); 0: it has one. */
        long noDataSince;
        /** Stopped by Snowflake's statement timeout. */
        volatile boolean timedOut;

        RemoteQuery(String queryId, String role) {
            this.queryId = queryId;
            this.role = role;
        }

        WarehouseStatus status() {
            return new WarehouseStatus(copying && !state.isFinished() ? QueryState.RUNNING : state, error,
                    timedOut && state == QueryState.CANCELLED);
        }
    }

}
