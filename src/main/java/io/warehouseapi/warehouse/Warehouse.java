package io.warehouseapi.warehouse;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.ExposedView;
import io.warehouseapi.question.Selection;

/**
 * The warehouse behind the API: what the routes need from it, whichever engine it is. An adapter runs a question's
 * SELECT asynchronously, reports its state and cancels it; once it succeeded, its {@link Results} serve its result
 * page by page.
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

    /**
     * Whether the periodic read of the catalog should run: only while the API is used (its views were asked for
     * since the last read), after a failed read, or with a new include pattern.
     */
    default boolean catalogInUse(String includePattern) {
        return catalog().inUse(includePattern);
    }

    /**
     * While the catalog is not read (an idle API), checks that the warehouse can still be reached without running a
     * statement, so that readiness follows an outage all the same; marks it unavailable if not. Nothing to do where
     * reading the catalog costs nothing.
     */
    default void probe() {
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

    /**
     * Starts a question's SELECT for a tenant ({@code ""} for none): where this adapter queues queries itself, its
     * queue serves tenants fairly. The other adapters run it as {@link #submit(Selection)} does.
     */
    default String submit(Selection selection, String tenant) {
        return submit(selection);
    }

    /**
     * How long the warehouse itself keeps a query's result after it was asked for (Snowflake: 24 hours), which no id
     * may outlive; null when only this API's own retention bounds it.
     */
    default java.time.Duration resultLifetime() {
        return null;
    }

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

    /** The results of the queries this adapter ran that succeeded. */
    Results results();

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

    /** Forgets a query: cancels it if it still runs and drops its stored result. */
    void forget(String queryId);

    /** How many statements are running in the warehouse on behalf of the API right now. */
    int runningStatements();
}
