package io.warehouseapi.warehouse;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.GrowingResult;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.store.SharedResults;
import io.warehouseapi.store.StoredResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results an adapter copied into its local result store, readable once their query succeeded; with a directory
 * shared between replicas ({@code results.shared-dir}), a result reused is kept there as long as its newest id.
 */
public final class StoredResults implements Results {

    private static final Logger LOG = LoggerFactory.getLogger(StoredResults.class);

    private final ResultStore store;
    private final Predicate<String> succeeded;
    private final SharedResults shared;
    private final Function<String, CompletionStage<GrowingResult>> storing;

    /**
     * @param succeeded whether a query succeeded and its result is in the store
     * @param shared    the directory shared between replicas, or {@code null}
     */
    public StoredResults(ResultStore store, Predicate<String> succeeded, SharedResults shared) {
        this(store, succeeded, shared, queryId -> null);
    }

    /**
     * @param storing for a query not yet ended, completes with its result once the store begins to keep it as it
     *                arrives ({@link ResultStore#growing}), or with null once it no longer can; null for a query not
     *                known or ended
     */
    public StoredResults(ResultStore store, Predicate<String> succeeded, SharedResults shared,
                         Function<String, CompletionStage<GrowingResult>> storing) {
        this.store = store;
        this.succeeded = succeeded;
        this.shared = shared;
        this.storing = storing;
    }

    @Override
    public StoredResult result(String queryId) {
        return succeeded.test(queryId) ? store.find(queryId) : null;
    }

    @Override
    public Page readPage(String queryId, long offset, int pageSize) {
        StoredResult result = result(queryId);
        return result == null ? null : store.readPage(result, offset, pageSize);
    }

    @Override
    public Page readGrowingPage(String queryId, long offset, int pageSize) {
        GrowingResult growing = store.growing(queryId);
        return growing == null ? null : store.readGrowingPage(growing, offset, pageSize);
    }

    @Override
    public long storedRows(String queryId) {
        GrowingResult growing = store.growing(queryId);
        return growing == null ? -1 : growing.progress();
    }

    @Override
    public java.util.Optional<java.time.Instant> storingSince(String queryId) {
        GrowingResult growing = store.growing(queryId);
        return growing == null ? java.util.Optional.empty() : java.util.Optional.of(growing.since());
    }

    @Override
    public Optional<CompletionStage<Void>> whenStored(String queryId, long rows) {
        CompletionStage<GrowingResult> started = storing.apply(queryId);
        if (started == null) {
            return Optional.empty();
        }
        return Optional.of(started.thenCompose(growing -> growing == null
                ? CompletableFuture.<Void>completedFuture(null) : growing.atLeast(rows)));
    }

    @Override
    public InputStream export(String queryId, ExportFormat format, Runnable onClose) {
        StoredResult result = result(queryId);
        return result == null ? null : store.openExport(result, format, onClose);
    }

    @Override
    public void reused(String queryId) {
        if (shared != null) {
            shared.touch(queryId);
        }
    }

    @Override
    public void sweep(Duration age) {
        if (shared != null) {
            int removed = shared.sweep(age);
            if (removed > 0) {
                LOG.info("Removed {} files older than {} from the shared results directory", removed, age);
            }
        }
    }
}
