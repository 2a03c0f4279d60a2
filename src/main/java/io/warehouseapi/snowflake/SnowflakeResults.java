package io.warehouseapi.snowflake;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.GrowingResult;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.ResultStore.StoreColumn;
import io.warehouseapi.store.StoredResult;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.StoredResults;
import io.warehouseapi.warehouse.WarehouseException;
import io.warehouseapi.warehouse.WarehouseStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results of Snowflake queries, as the query layer reads them: a result copied into the local store is read there
 * (also while it is copied, its first rows ahead of the rest); one too large to copy is paged in Snowflake with
 * {@code RESULT_SCAN}. What each query's state is comes from {@link SnowflakeWarehouse}'s map of them.
 */
final class SnowflakeResults implements Results {

    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeWarehouse.class);

    private final Map<String, RemoteQuery> queries;
    private final ResultStore store;
    private final WarehouseStatements statements;
    private final StoredResults local;

    SnowflakeResults(Map<String, RemoteQuery> queries, ResultStore store, WarehouseStatements statements) {
        this.queries = queries;
        this.store = store;
        this.statements = statements;
        this.local = new StoredResults(store, this::copied, null);
    }

    /** Whether a query succeeded and its result was copied into the store. */
    private boolean copied(String queryId) {
        RemoteQuery query = queries.get(queryId);
        return query != null && query.state == QueryState.SUCCESS && !query.fallback;
    }

    @Override
    public StoredResult result(String queryId) {
        return local.result(queryId);
    }

    /**
     * A page of a query that succeeded: from the store, or, for a result too large to copy, from Snowflake with
     * RESULT_SCAN.
     */
    @Override
    public Page readPage(String queryId, long offset, int pageSize) {
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
                LOG.warn("Cannot read a page of query {} with RESULT_SCAN: {}", queryId,
                        SnowflakeWarehouse.firstLine(e));
                throw new WarehouseException(ResultCopy.resultExpired(e) ? WarehouseException.Reason.RESULT_EXPIRED
                        : WarehouseException.Reason.UNREACHABLE, "a page could not be read with RESULT_SCAN");
            }
        }
        return Page.of(queryId, offset, pageSize, query.fallbackTotal, query.fallbackColumns, rows);
    }

    @Override
    public InputStream export(String queryId, ExportFormat format, Runnable onClose) {
        return local.export(queryId, format, onClose);
    }

    @Override
    public long totalRows(String queryId) {
        RemoteQuery query = queries.get(queryId);
        return query != null && query.fallback ? query.fallbackTotal : local.totalRows(queryId);
    }

    @Override
    public Page readGrowingPage(String queryId, long offset, int pageSize) {
        return local.readGrowingPage(queryId, offset, pageSize);
    }

    @Override
    public long storedRows(String queryId) {
        return local.storedRows(queryId);
    }

    @Override
    public Optional<Instant> storingSince(String queryId) {
        return local.storingSince(queryId);
    }

    /**
     * Completes once {@code rows} rows of a query's result are copied (readable while the rest is copied), or once
     * its copy ended, or once it ended without one; empty for a query not known or ended, and while a failed copy
     * is begun again (its end wakes the waiter).
     */
    @Override
    public Optional<CompletionStage<Void>> whenStored(String queryId, long rows) {
        RemoteQuery query = queries.get(queryId);
        if (query == null || query.state.isFinished()) {
            return Optional.empty();
        }
        if (query.storing.isDone()) {
            GrowingResult growing = store.growing(queryId);
            return growing == null ? Optional.empty() : Optional.of(growing.atLeast(rows));
        }
        return Optional.of(query.storing.thenCompose(ignored -> {
            GrowingResult growing = store.growing(queryId);
            return growing == null ? CompletableFuture.completedFuture(null) : growing.atLeast(rows);
        }));
    }
}
