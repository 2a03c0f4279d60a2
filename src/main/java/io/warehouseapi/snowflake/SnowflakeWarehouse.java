package io.warehouseapi.snowflake;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import javax.sql.DataSource;

import io.warehouseapi.model.Identifiers;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Dialect;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.warehouse.Results;
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
 * ({@code executeAsyncQuery} on a prepared statement), numbering its rows
 * ({@link io.warehouseapi.question.Dialect#ROW_NUMBER_COLUMN}, in the question's order if it has one); its state comes
 * from the monitoring call {@code getQueryStatus}, which wakes no warehouse ({@link RemoteQuery#read}). Once it
 * succeeded, its persisted result is streamed once into the local result store in that number's order
 * ({@link ResultCopy}), so that every page is a local read; a result larger than
 * {@code warehouse.snowflake.local-copy.max-rows} is paged in Snowflake with {@code RESULT_SCAN} in the same order
 * instead, its parameters bound. All of it happens in the sessions of {@link SnowflakeSessions}.
 */
public class SnowflakeWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeWarehouse.class);
    private static final Duration RESULT_LIFETIME = Duration.ofHours(24);

    private final SnowflakeSessions sessions;
    private final ResultCopy resultCopy;
    /** How long monitoring may have no record of a query before it is given up (it has none for a moment at first). */
    private volatile Duration noDataGrace = Duration.ofSeconds(30);
    private volatile int maxRunning = 16;
    /** Submits under way: places taken before their queries are known. */
    private final java.util.concurrent.atomic.AtomicInteger reserved = new java.util.concurrent.atomic.AtomicInteger();
    private final ResultStore store;
    private final ExecutorService copier;
    private final String database;
    private final String schema;
    private final WarehouseStatements statements;
    private final Map<String, RemoteQuery> queries = new ConcurrentHashMap<>();
    private final ViewCatalog catalog;
    /** The results copied into the store. */
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
        this.sessions = new SnowflakeSessions(dataSource, rolePools);
        this.statements = statements;
        this.store = store;
        this.copier = copier;
        this.database = database;
        this.schema = schema;
        this.catalog = new ViewCatalog(statements, schema, exposedViewsPattern,
                view -> view,
                view -> Identifiers.qualified(database, schema, view));
        this.resultCopy = new ResultCopy(sessions, store, statements, maxLocalRows);
        this.results = new SnowflakeResults(queries, store, statements);
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

    /** Snowflake keeps a query's result for 24 hours after it ran: no id names it for longer. */
    @Override
    public Duration resultLifetime() {
        return RESULT_LIFETIME;
    }

    /**
     * A session's heartbeat, which Snowflake answers without a warehouse (a statement, even the catalog's, would keep
     * the warehouse running): an outage while the API is idle still takes readiness down.
     */
    @Override
    public void probe() {
        if (!sessions.reachable()) {
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
            String queryId = sessions.in(selection.role(), connection -> {
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
            remote = sessions.in(query.role, connection -> connection.unwrap(SnowflakeConnection.class)
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
            if (query.read(remote, noDataGrace)) {
                startCopy(query);
            } else if (query.state.isFinished()) {
                query.storing.complete(null);
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

    /** Copies a result ({@link ResultCopy}) and ends its query as the copy ended. */
    private void copy(RemoteQuery query) {
        ResultCopy.Outcome outcome = resultCopy.copy(query.queryId, query.role, () -> query.cancelRequested,
                () -> query.storing.complete(null));
        switch (outcome.kind()) {
            case STORED -> finish(query, QueryState.SUCCESS, null);
            case TOO_LARGE -> {
                query.fallbackColumns = outcome.columns();
                query.fallbackStoreColumns = outcome.storeColumns();
                query.fallbackTotal = outcome.total();
                query.fallback = true;
                finish(query, QueryState.SUCCESS, null);
            }
            case CANCELLED -> finish(query, QueryState.CANCELLED, null);
            case FAILED -> finish(query, QueryState.FAILED, outcome.error());
        }
    }

    private void finish(RemoteQuery query, QueryState state, String error) {
        synchronized (query) {
            query.copying = false;
            if (!query.state.isFinished() || state == QueryState.CANCELLED) {
                query.state = query.cancelRequested ? QueryState.CANCELLED : state;
                query.error = error;
            }
        }
        // its state is final: whoever waits for rows sees it
        store.ended(query.queryId);
        query.storing.complete(null);
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
        query.storing.complete(null);
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

    static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
