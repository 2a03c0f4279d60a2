package io.warehouseapi.warehouse;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.StoredResult;

/**
 * The warehouse behind the API: what the routes need from it, whichever engine it is. An adapter runs a question's
 * SELECT asynchronously, reports its state, cancels it, and, once it succeeded, makes its
 * result readable page by page from the local result store.
 */
public interface Warehouse {

    /** A short name for logs and health checks, such as {@code embedded} or {@code snowflake}. */
    String kind();

    /** The catalog of the views this API exposes, as this warehouse reads it. */
    ViewCatalog catalog();

    /** The views this API exposes, with their columns, from the warehouse's catalog. */
    default List<ExposedView> views() {
        return catalog().views();
    }

    /** Reads the catalog of exposed views again; called at start and then periodically. */
    default void refreshViews() {
        catalog().refresh();
    }

    /** Reads the catalog again with a new include pattern ({@code warehouse.views.include}, passed by the route). */
    default void refreshViews(String includePattern) {
        catalog().include(includePattern);
        catalog().refresh();
    }

    /** Whether the warehouse answered its last call. */
    default boolean isAvailable() {
        return catalog().isAvailable();
    }

    /**
     * The fingerprint of a view's definition, part of the question a {@code run_view} asks, so that a result of an
     * older definition is never reused: what the catalog said at its last read ({@code warehouse.views.refresh-interval},
     * or sooner when the catalog is read again). Asking the warehouse at every request would cost a statement each
     * (4.6 ms on DuckDB, whose {@code duckdb_views()} renders every view's SQL; a warehouse to wake on Snowflake).
     */
    default String currentDefinition(ExposedView view) {
        return view.definition();
    }

    /**
     * Starts a question's SELECT ({@code SELECT * FROM <view>} for the original's) and returns its query id at once,
     * without waiting for it to run.
     */
    String submit(Selection selection);

    /** The state of a query this adapter started; {@code null} for an id it does not know. */
    WarehouseStatus status(String queryId);

    /**
     * Completes when a query this adapter started has ended (its state is final), so that a poller need not wait out
     * its delay; empty when the adapter learns that only by polling, or does not know the query.
     */
    default Optional<CompletionStage<Void>> whenEnded(String queryId) {
        return Optional.empty();
    }

    /** Asks the warehouse to stop a query; does nothing for a query that has already ended. */
    void cancel(String queryId);

    /** The stored result of a query whose state is {@link QueryState#SUCCESS}, or {@code null}. */
    StoredResult result(String queryId);

    /**
     * A page of a query whose state is {@link QueryState#SUCCESS}: from the local result store, or from wherever the
     * adapter keeps a result the store could not take. {@code null} if there is no result.
     */
    Page readPage(String queryId, long offset, int pageSize);

    /**
     * Connects again if the warehouse could not be reached, and reads the catalog again if its last call failed, so
     * that the API recovers by itself when the warehouse returns. Called periodically.
     */
    default void reconnect(String includePattern) {
        if (!isAvailable()) {
            refreshViews(includePattern);
        }
    }

    /**
     * The whole stored result of a query whose state is {@link QueryState#SUCCESS}, as a stream of an export format
     * read from the local result store; {@code null} if the store does not hold it. {@code onClose} runs once when the
     * stream is closed.
     */
    java.io.InputStream export(String queryId, ExportFormat format, Runnable onClose);

    /**
     * Takes up a query that another replica started, by its warehouse id, so that this replica serves it: reads its
     * state (and, once it succeeded, its result) from wherever replicas share them. Returns the name of its view
     * ({@code ""} if not known yet), or {@code null} if this warehouse shares nothing between replicas. Its state is
     * then {@link #status(String)}'s to tell.
     */
    default String adopt(String queryId) {
        return null;
    }

    /** Whether a query keeps running in the warehouse after this process has gone (Snowflake's do). */
    default boolean outlivesProcess() {
        return false;
    }

    /** The application is stopping: queries cancelled from now on are cancelled for that reason. */
    default void stopping() {
    }

    /** A finished result has answered another request: it is kept as long as the newest id that names it. */
    default void reused(String queryId) {
    }

    /** Removes shared results not used for {@code age}: no id can name them any more. */
    default void sweep(java.time.Duration age) {
    }

    /** Forgets a query: cancels it if it still runs and drops its stored result. */
    void forget(String queryId);

    /** How many statements are running in the warehouse on behalf of the API right now. */
    int runningStatements();
}
