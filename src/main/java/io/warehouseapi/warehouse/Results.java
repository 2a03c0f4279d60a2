package io.warehouseapi.warehouse;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.StoredResult;

/**
 * The results of a warehouse's queries that succeeded, as the query layer reads them: from the local result store, or
 * from wherever an adapter keeps a result the store could not take. Apart from {@link Warehouse}, which runs the
 * queries, so that what serves a result can change without touching what runs it.
 */
public interface Results {

    /** The stored result of a query whose state is {@link QueryState#SUCCESS}, or {@code null}. */
    StoredResult result(String queryId);

    /** A page of a query whose state is {@link QueryState#SUCCESS}; {@code null} if there is no result. */
    Page readPage(String queryId, long offset, int pageSize);

    /**
     * The whole stored result of a query whose state is {@link QueryState#SUCCESS}, as a stream of an export format;
     * {@code null} if the store does not hold it. {@code onClose} runs once when the stream is closed.
     */
    InputStream export(String queryId, ExportFormat format, Runnable onClose);

    /** The number of rows of a query's result whose state is {@link QueryState#SUCCESS}; -1 if there is no result. */
    default long totalRows(String queryId) {
        StoredResult result = result(queryId);
        return result == null ? -1 : result.totalRows();
    }

    /**
     * A page of a result while it is still being stored, its total not known yet ({@link Page#complete()} false):
     * once all of its rows are stored; else {@code null}, as for every result of an adapter that stores a result
     * whole before its query succeeds.
     */
    default Page readGrowingPage(String queryId, long offset, int pageSize) {
        return null;
    }

    /** How many rows of a result still being stored are stored so far; -1 when none is being stored. */
    default long storedRows(String queryId) {
        return -1;
    }

    /**
     * When a result still being stored began to be stored, which is its stored result's {@code storedAt}; empty when
     * none is being stored.
     */
    default Optional<java.time.Instant> storingSince(String queryId) {
        return Optional.empty();
    }

    /**
     * Completes once {@code rows} rows of a query's result are stored while the rest is still being stored, or once
     * its storing has ended (or can no longer begin); empty where this adapter stores a result whole before its
     * query succeeds, or does not know the query.
     */
    default Optional<CompletionStage<Void>> whenStored(String queryId, long rows) {
        return Optional.empty();
    }

    /** A finished result has answered another request: it is kept as long as the newest id that names it. */
    default void reused(String queryId) {
    }

    /** Removes shared results not used for {@code age}: no id can name them any more. */
    default void sweep(Duration age) {
    }
}
