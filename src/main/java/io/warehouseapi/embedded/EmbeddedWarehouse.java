package io.warehouseapi.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

import io.warehouseapi.model.Identifiers;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Dialect;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.GrowingResult;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.SharedResults;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.FairExecutor;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.StoredResults;
import io.warehouseapi.warehouse.ViewCatalog;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import io.warehouseapi.warehouse.WarehouseStatements;
import io.warehouseapi.warehouse.WarehouseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded warehouse: DuckDB on a local file. A submitted query runs on a bounded executor that serves tenants
 * fairly ({@link FairExecutor}), which materializes
 * the question's SELECT (its values bound) straight into the result store (one statement inside the engine, the fastest a result
 * can be made readable), and cancels it by interrupting the statement.
 * <p>
 * With a shared results directory ({@code results.shared-dir}), each result is also written there once, before its
 * query counts as succeeded, and a query another replica started is taken up from there ({@link #adopt}).
 */
public class EmbeddedWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);
    private static final long INTERRUPT_EVERY_MS = 50;
    private static final int MAX_INTERRUPTS = 1200;

    private final DataSource dataSource;
    private final ResultStore store;
    private final FairExecutor executor;
    private final String schema;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final ViewCatalog catalog;
    /** The shared results directory, or null. */
    private final SharedResults shared;
    private final Results results;
    private volatile FirstRowsTap firstRows;
    private volatile boolean stopping;

    /**
     * @param statements the plain-SQL statements (the catalog), sent through the routes' {@code jdbc:} steps on this
     *                   adapter's pool
     */
    public EmbeddedWarehouse(DataSource dataSource, WarehouseStatements statements, ResultStore store,
                             FairExecutor executor, String schema, String exposedViewsPattern,
                             SharedResults shared) {
        this.dataSource = dataSource;
        this.shared = shared;
        this.store = store;
        this.executor = executor;
        this.schema = schema;
        this.catalog = new ViewCatalog(statements, schema, exposedViewsPattern,
                view -> view.toUpperCase(Locale.ROOT),
                view -> Identifiers.qualified(schema, view));
        this.results = new StoredResults(store, this::succeeded, shared, this::storing);
    }

    /**
     * Keeps the first {@code capacity} rows of each result as the engine hands them over, so that its first page can
     * go before the rest is stored ({@code results.first-page-early}; {@link FirstRowsTap}).
     */
    public void keepFirstRows(int capacity) {
        this.firstRows = new FirstRowsTap(store, capacity);
    }

    /** For a query not yet ended, its result once the store keeps it as it arrives (null: it will not). */
    private CompletionStage<GrowingResult> storing(String queryId) {
        Execution execution = executions.get(queryId);
        if (execution == null || execution.remote) {
            return null;
        }
        synchronized (execution) {
            return execution.state.isFinished() ? null : execution.capturing;
        }
    }

    private boolean succeeded(String queryId) {
        WarehouseStatus status = status(queryId);
        return status != null && status.state() == QueryState.SUCCESS;
    }

    @Override
    public Results results() {
        return results;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public ViewCatalog catalog() {
        return catalog;
    }

    @Override
    public String submit(Selection selection) {
        return submit(selection, "");
    }

    @Override
    public String submit(Selection selection, String tenant) {
        String queryId = UUID.randomUUID().toString();
        Execution execution = new Execution(queryId, selection.view(), selection.statement(Dialect.DUCKDB), false);
        executions.put(queryId, execution);
        if (shared != null) {
            shared.started(queryId);
        }
        try {
            execution.future = executor.submit(tenant, () -> run(execution));
        } catch (RejectedExecutionException e) {
            executions.remove(queryId);
            publish(execution, QueryState.FAILED, "The query queue was full.", null, null);
            throw new WarehouseException(WarehouseException.Reason.BUSY, "its queue is full: warehouse.max-queued-queries");
        }
        return queryId;
    }

    private void run(Execution execution) {
        synchronized (execution) {
            if (execution.state != QueryState.QUEUED) {
                execution.stopped.complete(null);
                publish(execution, execution.state, execution.error, null, null);
                return;
            }
            execution.state = QueryState.RUNNING;
        }
        running.incrementAndGet();
        Path written = null;
        FirstRowsTap.Run tap = null;
        try (Connection connection = dataSource.getConnection()) {
            FirstRowsTap firstRows = this.firstRows;
            tap = firstRows == null ? null : firstRows.open(connection, execution.queryId, execution.select);
            execution.capturing.complete(tap == null ? null : tap.growing());
            String sql = tap != null ? tap.statement()
                    : store.materializeStatement(execution.queryId, execution.select.sql());
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                synchronized (execution) {
                    // under the lock that cancel() takes: either it sees this statement, or this run sees its state
                    if (execution.state == QueryState.CANCELLED) {
                        return;
                    }
                    execution.statement = statement;
                }
                List<Object> parameters = execution.select.parameters();
                for (int i = 0; i < parameters.size(); i++) {
                    statement.setObject(i + 1, parameters.get(i));
                }
                statement.execute();
                execution.statement = null;
                StoredResult result = store.register(execution.queryId);
                if (shared != null) {
                    // every replica may serve it once it succeeded: it is written before it counts as succeeded
                    written = shared.temporary(execution.queryId);
                    store.writeParquet(result, written);
                }
                synchronized (execution) {
                    if (execution.state == QueryState.RUNNING) {
                        publish(execution, QueryState.SUCCESS, null, result, written);
                        execution.state = QueryState.SUCCESS;
                        return;
                    }
                }
                deleteQuietly(written);
                store.drop(execution.queryId);
            }
        } catch (SQLException e) {
            deleteQuietly(written);
            String error = EngineErrors.forClient(execution.queryId, e, cancelled(execution));
            synchronized (execution) {
                if (execution.state == QueryState.RUNNING) {
                    execution.state = QueryState.FAILED;
                    execution.error = error;
                }
            }
            store.drop(execution.queryId);
        } finally {
            execution.statement = null;
            if (tap != null) {
                tap.close();
            }
            execution.capturing.complete(null);
            running.decrementAndGet();
            execution.stopped.complete(null);
            publish(execution, execution.state, execution.error, null, null);
            execution.ended.complete(null);
            // whoever waits for rows of the result asks again, and finds the query ended
            store.ended(execution.queryId);
        }
    }

    /**
     * Publishes how a query of this replica's ended to the shared results directory, once: after its result, if it
     * succeeded. A query cancelled because this replica is stopping is published as failed, with the words that
     * tell its client to run it again.
     */
    private void publish(Execution execution, QueryState state, String error, StoredResult result,
                         Path written) {
        if (shared == null || execution.remote || !execution.published.compareAndSet(false, true)) {
            return;
        }
        boolean stopped = state == QueryState.CANCELLED && stopping;
        SharedResults.Outcome outcome = new SharedResults.Outcome(stopped ? QueryState.FAILED : state,
                stopped ? SharedResults.RERUN : error, execution.view,
                result == null ? List.of() : result.columns(), result == null ? 0 : result.totalRows(),
                (result == null ? Instant.now() : result.storedAt()).toEpochMilli());
        shared.ended(execution.queryId, outcome, written);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("Cannot delete {}: {}", file, e.getMessage());
            }
        }
    }

    /**
     * Takes up a query another replica started, from the shared results directory: its result if it succeeded (read
     * into this replica's store once), its state if it is still running on a live replica, and, if its replica died
     * before it ended, a failure that tells the client to run it again. Null without a shared directory.
     */
    @Override
    public String adopt(String queryId) {
        if (shared == null) {
            return null;
        }
        Execution known = executions.get(queryId);
        if (known != null) {
            return known.view;
        }
        Execution execution = new Execution(queryId, "", null, true);
        synchronized (execution) {
            execution.state = QueryState.RUNNING;
            refresh(execution);
        }
        Execution raced = executions.putIfAbsent(queryId, execution);
        return (raced != null ? raced : execution).view;
    }

    /** Brings a taken-up query up to date with the shared directory; called holding its lock. */
    private void refresh(Execution execution) {
        SharedResults.Lookup lookup = shared.lookup(execution.queryId);
        SharedResults.Outcome outcome = lookup.outcome();
        if (outcome == null) {
            if (!lookup.running()) {
                execution.state = QueryState.FAILED;
                execution.error = SharedResults.RERUN;
                execution.ended.complete(null);
            }
            return;
        }
        execution.view = outcome.view() == null ? "" : outcome.view();
        if (outcome.state() == QueryState.SUCCESS) {
            try {
                store.loadParquet(execution.queryId, shared.result(execution.queryId), outcome.columns());
            } catch (SQLException e) {
                LOG.warn("query={}: cannot read its result from the shared directory: {}", execution.queryId,
                        EngineErrors.engineMessage(e));
                store.drop(execution.queryId);
                execution.state = QueryState.FAILED;
                execution.error = "The result is no longer available; run the view again.";
                execution.ended.complete(null);
                return;
            }
        }
        execution.state = outcome.state();
        execution.error = outcome.error();
        execution.ended.complete(null);
    }

    @Override
    public void stopping() {
        stopping = true;
    }

    private static boolean cancelled(Execution execution) {
        synchronized (execution) {
            return execution.state != QueryState.RUNNING;
        }
    }

    @Override
    public WarehouseStatus status(String queryId) {
        Execution execution = executions.get(queryId);
        if (execution == null) {
            return null;
        }
        synchronized (execution) {
            if (execution.remote && !execution.state.isFinished()) {
                refresh(execution);
            }
            return new WarehouseStatus(execution.state, execution.error);
        }
    }

    @Override
    public Optional<CompletionStage<Void>> whenEnded(String queryId) {
        Execution execution = executions.get(queryId);
        return execution == null ? Optional.empty() : Optional.of(execution.ended);
    }

    @Override
    public void cancel(String queryId) {
        Execution execution = executions.get(queryId);
        if (execution == null) {
            return;
        }
        boolean wasRunning;
        synchronized (execution) {
            if (execution.state.isFinished()) {
                return;
            }
            wasRunning = execution.state == QueryState.RUNNING;
            execution.state = QueryState.CANCELLED;
        }
        Future<?> future = execution.future;
        if (future != null && future.cancel(false)) {
            // it never ran: nothing else publishes its end
            publish(execution, QueryState.CANCELLED, null, null, null);
        }
        execution.ended.complete(null);
        if (wasRunning && !execution.remote) {
            interruptUntilStopped(execution, 0);
        }
    }

    /**
     * Interrupts a running statement until its run has stopped. One interrupt is not enough: the engine ignores one
     * that comes before the statement has started executing (DuckDB's {@code cancel} does nothing then), and a run
     * may be between taking its statement and executing it; so the interrupt is repeated, off the caller's thread,
     * every {@link #INTERRUPT_EVERY_MS} ms, at most {@link #MAX_INTERRUPTS} times.
     */
    private void interruptUntilStopped(Execution execution, int attempt) {
        if (execution.stopped.isDone()) {
            return;
        }
        if (attempt >= MAX_INTERRUPTS) {
            LOG.warn("query={}: still running {} ms after it was cancelled", execution.queryId,
                    (long) MAX_INTERRUPTS * INTERRUPT_EVERY_MS);
            return;
        }
        Statement statement = execution.statement;
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                LOG.debug("Cancelling query {}: {}", execution.queryId, e.getMessage());
            }
        }
        CompletableFuture.delayedExecutor(INTERRUPT_EVERY_MS, TimeUnit.MILLISECONDS)
                .execute(() -> interruptUntilStopped(execution, attempt + 1));
    }

    @Override
    public void forget(String queryId) {
        cancel(queryId);
        executions.remove(queryId);
        store.drop(queryId);
    }

    @Override
    public int runningStatements() {
        return running.get();
    }

    private static final class Execution {
        final String queryId;
        final Selection.Statement select;
        /** Started by another replica and taken up from the shared directory. */
        final boolean remote;
        final AtomicBoolean published = new AtomicBoolean();
        volatile String view;
        QueryState state = QueryState.QUEUED;
        String error;
        volatile Statement statement;
        volatile Future<?> future;
        /** Completed once its run has left the engine (never, if it never ran). */
        final CompletableFuture<Void> stopped = new CompletableFuture<>();
        /** Completed once its run knows whether the store keeps its result as it arrives: with it, or with null. */
        final CompletableFuture<GrowingResult> capturing = new CompletableFuture<>();
        /** Completed once the state is final: by the run's end, or at once by a cancel. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Execution(String queryId, String view, Selection.Statement select, boolean remote) {
            this.queryId = queryId;
            this.view = view;
            this.select = select;
            this.remote = remote;
        }
    }
}
