package io.warehouseapi.query;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ApiRequest;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.ops.ApiMetrics;
import io.warehouseapi.store.Page;
import io.warehouseapi.warehouse.ExposedView;
import io.warehouseapi.warehouse.Identifiers;
import io.warehouseapi.warehouse.QueryState;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query lifecycle as the API sees it, whichever warehouse runs the queries: who owns which query id, its state,
 * its time limit, its pages, and what happens when its connection goes away. A query id is usable only by the owner
 * that started it (its connection, or with authentication its principal, on any connection); to anyone else it does
 * not exist.
 */
public class QueryService {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    private final Warehouse warehouse;
    private final Duration statementTimeout;
    private final Duration resultRetention;
    private final ApiMetrics metrics;
    private final int maxPerOwner;
    private final Map<String, Query> queries = new ConcurrentHashMap<>();
    private final ScheduledExecutorService pollTimer;

    /**
     * @param pollTimer the threads on which a {@code run_view} waits between polls and then goes on (no thread is
     *                  held while it waits)
     */
    public QueryService(Warehouse warehouse, Duration statementTimeout, Duration resultRetention,
                        int maxPerOwner, ApiMetrics metrics, ScheduledExecutorService pollTimer) {
        this.pollTimer = pollTimer;
        this.maxPerOwner = maxPerOwner;
        this.warehouse = warehouse;
        this.statementTimeout = statementTimeout;
        this.resultRetention = resultRetention;
        this.metrics = metrics;
        metrics.gauge("warehouse_api_queries_in_flight", "Queries submitted and not yet ended", this::inFlight);
    }

    /**
     * Starts {@code SELECT * FROM <view>} for a {@code run_view} request; returns the query id.
     *
     * @param owner      who may use the query id (see {@code Sessions.owner})
     * @param connection the connection that asked, which waits for the first page
     */
    public String submit(String owner, String connection, ApiRequest request) {
        if (!warehouse.isAvailable()) {
            throw new ApiException(ErrorCode.WAREHOUSE_UNAVAILABLE, "The warehouse cannot be reached right now.");
        }
        ExposedView view = findView(request.viewName());
        long running = queries.values().stream().filter(q -> q.connection.equals(connection) && q.finishedAt == 0)
                .count();
        if (running >= maxPerOwner) {
            throw new ApiException(ErrorCode.TOO_MANY_REQUESTS, "This connection has " + running
                                   + " queries running, the most it may have; wait for one to end or cancel it.");
        }
        String queryId = warehouse.submit(view);
        Query query = new Query(queryId, owner, connection, view.name(), request.hasRequestId());
        queries.put(queryId, query);
        metrics.queryStarted();
        LOG.info("query={} view={} state=QUEUED", queryId, view.name());
        return queryId;
    }

    private ExposedView findView(String name) {
        for (ExposedView view : warehouse.views()) {
            if (Identifiers.equalsIgnoreAsciiCase(view.name(), name)) {
                return view;
            }
        }
        throw new ApiException(ErrorCode.VIEW_NOT_FOUND, "No view of that name is exposed by this API.");
    }

    /** The exposed views, for {@code list_views}. */
    public List<ExposedView> views() {
        return warehouse.views();
    }

    /** One poll of a query that a {@code run_view} started, enforcing the statement timeout. */
    public QueryProgress poll(String queryId) {
        Query query = queries.get(queryId);
        if (query == null) {
            // its owner went away and the query was cancelled and forgotten
            return new QueryProgress(queryId, QueryState.CANCELLED, 0, false);
        }
        QueryState state = stateOf(query);
        metrics.polled();
        long elapsedMs = query.elapsedMs();
        if (state == QueryState.RUNNING && !query.seenRunning) {
            query.seenRunning = true;
            LOG.info("query={} view={} state=RUNNING duration_ms={}", queryId, query.view, elapsedMs);
        }
        if (!state.isFinished() && elapsedMs > statementTimeout.toMillis()) {
            query.timedOut = true;
            warehouse.cancel(queryId);
            state = QueryState.CANCELLED;
        }
        if (state.isFinished()) {
            query.finished(state);
        }
        return new QueryProgress(queryId, state, elapsedMs, !state.isFinished() && query.progressDue());
    }

    /**
     * The next poll of a query, after the given delay or as soon as the warehouse says the query has ended, whichever
     * comes first: a result is never kept waiting for the rest of a delay. Asynchronous: the route goes on, on a
     * poll-timer thread, when the returned stage completes.
     */
    public CompletableFuture<QueryProgress> awaitPoll(String queryId, long delayMs) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        ScheduledFuture<?> timer = pollTimer.schedule(() -> wake.complete(null), delayMs, TimeUnit.MILLISECONDS);
        warehouse.whenEnded(queryId).ifPresent(ended -> ended.whenComplete((ignored, failure) -> {
            if (timer.cancel(false)) {
                // not on the warehouse's thread, which has its next query to run
                pollTimer.execute(() -> wake.complete(null));
            }
        }));
        return wake.thenApply(ignored -> poll(queryId));
    }

    /** The first page of a query that a {@code run_view} started and polled to its end. */
    public Page firstPage(String queryId, ApiRequest request) {
        Query query = queries.get(queryId);
        if (query == null) {
            throw new ApiException(ErrorCode.QUERY_CANCELLED, "The query was cancelled.", queryId, null);
        }
        Page page = page(query, 0, request.pageSize());
        metrics.firstPage(System.nanoTime() - query.startedAt, page.rowCount());
        return page;
    }

    /** A page of a finished query, for {@code fetch_results}. */
    public Page readPage(String owner, ApiRequest request) {
        long started = System.nanoTime();
        Page page = page(owned(owner, request.queryId()), request.offset(), request.pageSize());
        metrics.page(System.nanoTime() - started, page.rowCount());
        return page;
    }

    private Page page(Query query, long offset, int pageSize) {
        WarehouseStatus status = warehouse.status(query.id);
        QueryState state = status == null ? QueryState.CANCELLED : status.state();
        switch (state) {
            case QUEUED, RUNNING -> throw new ApiException(ErrorCode.QUERY_NOT_FINISHED,
                    "The query is still " + state.name().toLowerCase(Locale.ROOT) + "; wait for its results.", query.id,
                    null);
            case FAILED -> throw new ApiException(ErrorCode.QUERY_FAILED, status.errorMessage(), query.id, null);
            case CANCELLED -> throw query.timedOut
                    ? new ApiException(ErrorCode.QUERY_TIMEOUT, "The query ran longer than the limit of "
                                                                + statementTimeout.toSeconds() + " s and was cancelled.",
                            query.id, null)
                    : new ApiException(ErrorCode.QUERY_CANCELLED, "The query was cancelled.", query.id, null);
            default -> {
                // SUCCESS: read below
            }
        }
        Page page = warehouse.readPage(query.id, offset, pageSize);
        if (page == null) {
            throw new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.",
                    query.id, null);
        }
        return page;
    }

    /** Cancels a query for {@code cancel}; a query that already ended is left as it is. */
    public CancelOutcome cancel(String owner, ApiRequest request) {
        Query query = owned(owner, request.queryId());
        QueryState state = stateOf(query);
        if (state.isFinished()) {
            return new CancelOutcome(query.id, false, state);
        }
        warehouse.cancel(query.id);
        query.finished(QueryState.CANCELLED);
        return new CancelOutcome(query.id, true, QueryState.CANCELLED);
    }

    /** The state of a query, for {@code query_status}. */
    public QueryState state(String owner, ApiRequest request) {
        return stateOf(owned(owner, request.queryId()));
    }

    /**
     * A connection has gone: the queries it started and still waited for are cancelled and forgotten, and so are its
     * finished ones when the connection was their owner. With authentication, finished results stay readable by
     * their principal from its other connections until they expire.
     */
    public void release(String connection) {
        queries.values().removeIf(query -> {
            if (!query.connection.equals(connection)) {
                return false;
            }
            QueryState state = stateOf(query);
            if (state.isFinished() && !query.owner.equals(connection)) {
                return false;
            }
            warehouse.forget(query.id);
            if (!state.isFinished()) {
                LOG.info("query={} view={}: its connection closed; cancelling it", query.id, query.view);
                query.finished(QueryState.CANCELLED);
            }
            return true;
        });
    }

    /** Forgets the finished queries older than the retention; returns how many. */
    public int evictExpired() {
        long cutoff = System.nanoTime() - resultRetention.toNanos();
        int[] evicted = {0};
        queries.values().removeIf(query -> {
            if (query.finishedAt != 0 && query.finishedAt - cutoff < 0) {
                warehouse.forget(query.id);
                evicted[0]++;
                return true;
            }
            return false;
        });
        if (evicted[0] > 0) {
            LOG.info("Evicted {} results older than {}", evicted[0], resultRetention);
        }
        return evicted[0];
    }

    /** Cancels every query still running, as at shutdown; returns how many. */
    public int cancelAll() {
        int cancelled = 0;
        for (Query query : queries.values()) {
            if (query.finishedAt == 0 && !stateOf(query).isFinished()) {
                warehouse.cancel(query.id);
                cancelled++;
            }
        }
        return cancelled;
    }

    /** How many queries are known and not yet finished. */
    public long inFlight() {
        return queries.values().stream().filter(query -> query.finishedAt == 0).count();
    }

    private QueryState stateOf(Query query) {
        WarehouseStatus status = warehouse.status(query.id);
        return status == null ? QueryState.CANCELLED : status.state();
    }

    private Query owned(String owner, String queryId) {
        Query query = queries.get(queryId);
        if (query == null || !query.owner.equals(owner)) {
            throw new ApiException(ErrorCode.QUERY_NOT_FOUND, "No query of that id is known to this client.");
        }
        return query;
    }

    private final class Query {
        final String id;
        final String owner;
        final String connection;
        final String view;
        final boolean wantsProgress;
        final long startedAt = System.nanoTime();
        long lastProgressAt = startedAt;
        volatile long finishedAt;
        volatile boolean timedOut;
        volatile boolean seenRunning;

        Query(String id, String owner, String connection, String view, boolean wantsProgress) {
            this.id = id;
            this.owner = owner;
            this.connection = connection;
            this.view = view;
            this.wantsProgress = wantsProgress;
        }

        long elapsedMs() {
            long end = finishedAt != 0 ? finishedAt : System.nanoTime();
            return (end - startedAt) / 1_000_000;
        }

        synchronized boolean progressDue() {
            long now = System.nanoTime();
            if (wantsProgress && now - lastProgressAt >= PROGRESS_INTERVAL_NANOS) {
                lastProgressAt = now;
                return true;
            }
            return false;
        }

        synchronized void finished(QueryState state) {
            if (finishedAt == 0) {
                finishedAt = System.nanoTime();
                String outcome = timedOut ? "TIMEOUT" : state.name();
                LOG.info("query={} view={} state={} duration_ms={}", id, view, outcome, elapsedMs());
                metrics.queryFinished(switch (outcome) {
                    case "SUCCESS" -> "succeeded";
                    case "FAILED" -> "failed";
                    case "TIMEOUT" -> "timeout";
                    default -> "cancelled";
                });
            }
        }
    }
}
