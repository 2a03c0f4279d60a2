package io.warehouseapi.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.warehouseapi.question.Dialect;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.Identifiers;
import io.warehouseapi.warehouse.QueryState;
import io.warehouseapi.warehouse.ViewCatalog;
import io.warehouseapi.warehouse.Warehouse;
import io.warehouseapi.warehouse.WarehouseException;
import io.warehouseapi.warehouse.WarehouseStatements;
import io.warehouseapi.warehouse.WarehouseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded warehouse: DuckDB on a local file. A submitted query runs on a bounded executor, which materializes
 * the question's SELECT (its values bound) straight into the result store (one statement inside the engine, the fastest a result
 * can be made readable), and cancels it by interrupting the statement.
 */
public class EmbeddedWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);

    private final DataSource dataSource;
    private final ResultStore store;
    private final ExecutorService executor;
    private final String schema;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final ViewCatalog catalog;

    /**
     * @param statements the plain-SQL statements (the catalog), sent through the routes' {@code jdbc:} steps on this
     *                   adapter's pool
     */
    public EmbeddedWarehouse(DataSource dataSource, WarehouseStatements statements, ResultStore store,
                             ExecutorService executor, String schema, String exposedViewsPattern) {
        this.dataSource = dataSource;
        this.store = store;
        this.executor = executor;
        this.schema = schema;
        this.catalog = new ViewCatalog(statements, schema, exposedViewsPattern,
                view -> view.toUpperCase(Locale.ROOT),
                view -> Identifiers.qualified(schema, view));
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
        String queryId = UUID.randomUUID().toString();
        Execution execution = new Execution(queryId, selection.statement(Dialect.DUCKDB));
        executions.put(queryId, execution);
        try {
            execution.future = executor.submit(() -> run(execution));
        } catch (RejectedExecutionException e) {
            executions.remove(queryId);
            throw new WarehouseException(WarehouseException.Reason.BUSY, "the query queue is full");
        }
        return queryId;
    }

    private void run(Execution execution) {
        synchronized (execution) {
            if (execution.state != QueryState.QUEUED) {
                return;
            }
            execution.state = QueryState.RUNNING;
        }
        String sql = store.materializeStatement(execution.queryId, execution.select.sql());
        running.incrementAndGet();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            execution.statement = statement;
            if (execution.state == QueryState.CANCELLED) {
                return;
            }
            List<Object> parameters = execution.select.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i));
            }
            statement.execute();
            execution.statement = null;
            store.register(execution.queryId);
            synchronized (execution) {
                if (execution.state == QueryState.RUNNING) {
                    execution.state = QueryState.SUCCESS;
                    return;
                }
            }
            store.drop(execution.queryId);
        } catch (SQLException e) {
            String error = engineMessage(e);
            if (error.startsWith("IO Error") || error.contains("No space left on device")
                || error.contains("failed to offload")) {
                // the result store could not spill to disk: the operator needs the engine's words, the client does
                // not need the server's file names
                LOG.warn("query={}: the result store could not be written: {}", execution.queryId, error);
                error = error.contains("No space left on device") || error.contains("failed to offload")
                        ? "The result could not be stored: the server's result store is out of disk space."
                        : "The result could not be stored: the server could not write its result store.";
            } else if (error.startsWith("Out of Memory Error")) {
                LOG.warn("query={}: out of memory: {}", execution.queryId, error);
                error = "The query needs more memory than the server's limit (results.memory-limit) allows.";
            }
            synchronized (execution) {
                if (execution.state == QueryState.RUNNING) {
                    execution.state = QueryState.FAILED;
                    execution.error = error;
                }
            }
            store.drop(execution.queryId);
        } finally {
            execution.statement = null;
            running.decrementAndGet();
            execution.ended.complete(null);
        }
    }

    /** The engine's message for a client: its first line, without any statement text the engine may quote. */
    static String engineMessage(SQLException e) {
        String message = e.getMessage() == null ? "The query failed." : e.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        message = message.strip();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }

    @Override
    public WarehouseStatus status(String queryId) {
        Execution execution = executions.get(queryId);
        if (execution == null) {
            return null;
        }
        synchronized (execution) {
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
        Statement statement;
        synchronized (execution) {
            if (execution.state.isFinished()) {
                return;
            }
            execution.state = QueryState.CANCELLED;
            statement = execution.statement;
        }
        Future<?> future = execution.future;
        if (future != null) {
            future.cancel(false);
        }
        execution.ended.complete(null);
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                LOG.debug("Cancelling query {}: {}", queryId, e.getMessage());
            }
        }
    }

    @Override
    public StoredResult result(String queryId) {
        WarehouseStatus status = status(queryId);
        return status != null && status.state() == QueryState.SUCCESS ? store.find(queryId) : null;
    }

    @Override
    public Page readPage(String queryId, long offset, int pageSize) {
        StoredResult result = result(queryId);
        return result == null ? null : store.readPage(result, offset, pageSize);
    }

    @Override
    public java.io.InputStream export(String queryId, ExportFormat format, Runnable onClose) {
        StoredResult result = result(queryId);
        return result == null ? null : store.openExport(result, format, onClose);
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
        QueryState state = QueryState.QUEUED;
        String error;
        volatile Statement statement;
        volatile Future<?> future;
        /** Completed once the state is final: by the run's end, or at once by a cancel. */
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Execution(String queryId, Selection.Statement select) {
            this.queryId = queryId;
            this.select = select;
        }
    }
}
