package io.warehouseapi.query;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.Page;
import io.warehouseapi.warehouse.Results;

/**
 * Pages of a result while the warehouse stores it, before its query ends: a page whose rows are all stored is read at
 * once; one whose rows are not yet waits for them, with no thread held, on the query layer's timer. Such a page's
 * {@code computed_at} is the instant its result began to be stored, which the stored result keeps.
 */
final class GrowingPages {

    private final QueryIds handles;
    private final Results results;
    private final Executor timer;
    private final Clock clock;

    GrowingPages(QueryIds handles, Results results, Executor timer, Clock clock) {
        this.handles = handles;
        this.results = results;
        this.timer = timer;
        this.clock = clock;
    }

    /** The page if all of its rows are stored now (or, past them, the result is whole); else null. */
    ResultPage readNow(QueryHandle handle, long offset, int pageSize) {
        String warehouseId = handle.shared.warehouseId;
        Page page = results.readGrowingPage(warehouseId, offset, pageSize);
        if (page == null) {
            return null;
        }
        Instant computedAt = results.storingSince(warehouseId).orElseGet(clock::instant);
        return new ResultPage(handle.id, computedAt.truncatedTo(ChronoUnit.MILLIS), page);
    }

    /**
     * The page once its rows are stored, while its query runs and its result is stored as it arrives; otherwise
     * {@code finished}'s page (of the query's final state, or its error). A failure comes as thrown, not wrapped.
     */
    CompletableFuture<ResultPage> once(QueryHandle handle, long offset, int pageSize, Supplier<ResultPage> finished) {
        String warehouseId = handle.shared.warehouseId;
        if (handles.stateOf(handle) == QueryState.RUNNING && results.storedRows(warehouseId) >= 0) {
            ResultPage now = readNow(handle, offset, pageSize);
            if (now != null) {
                return CompletableFuture.completedFuture(now);
            }
            Optional<CompletionStage<Void>> stored = results.whenStored(warehouseId, offset + pageSize);
            if (stored.isPresent()) {
                CompletableFuture<ResultPage> page = new CompletableFuture<>();
                // however the wait ended (rows stored, result whole, query ended), ask again
                stored.get().whenCompleteAsync((ignored, failure) -> relay(
                        () -> once(handle, offset, pageSize, finished), page), timer);
                return page;
            }
        }
        return CompletableFuture.completedFuture(finished.get());
    }

    /** Completes {@code to} as {@code from}'s stage completes, or with what it throws, unwrapped. */
    private static <T> void relay(Supplier<CompletableFuture<T>> from, CompletableFuture<T> to) {
        try {
            from.get().whenComplete((value, failure) -> {
                if (failure != null) {
                    to.completeExceptionally(failure);
                } else {
                    to.complete(value);
                }
            });
        } catch (RuntimeException e) {
            to.completeExceptionally(e);
        }
    }
}
