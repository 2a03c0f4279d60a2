package io.warehouseapi.query;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.warehouse.Results;
import io.warehouseapi.warehouse.Warehouse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The polls of a {@code run_view}'s query until it ends: each reads its state (where the statement timeout is
 * enforced, {@link SharedQueries#state}), and the wait before the next ends early when the warehouse reports the end or
 * the client cancels. No thread is held while a query runs.
 */
final class Polling {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private final QueryIds handles;
    private final Warehouse warehouse;
    private final Results results;
    private final ScheduledExecutorService timer;
    private final ApiMetrics metrics;
    private final GrowingPages growingPages;
    /** Whether a first page goes before its whole result is stored, where the warehouse stores it as it arrives. */
    volatile boolean firstPageEarly;

    /** @param growingPages a first page's reads while its result is stored */
    Polling(QueryIds handles, Warehouse warehouse, Results results, ScheduledExecutorService timer,
            ApiMetrics metrics, GrowingPages growingPages) {
        this.growingPages = growingPages;
        this.handles = handles;
        this.warehouse = warehouse;
        this.results = results;
        this.timer = timer;
        this.metrics = metrics;
    }

    /** One poll: the query's state, how long it has run, and whether a progress reply is due. */
    QueryProgress poll(String queryId) {
        QueryHandle handle = handles.get(queryId);
        if (handle == null) {
            // its owner went away and the query was cancelled and forgotten
            return new QueryProgress(queryId, QueryState.CANCELLED, 0, false);
        }
        QueryState state = handles.stateOf(handle);
        metrics.polled();
        long elapsedMs = handle.elapsedMs();
        if (state == QueryState.RUNNING && !handle.seenRunning) {
            handle.seenRunning = true;
            LOG.info("query={} view={} state=RUNNING duration_ms={}", queryId, handle.view(), elapsedMs);
        }
        if (state.isFinished()) {
            handle.finished(state);
        }
        ResultPage first = firstPageEarly && state == QueryState.RUNNING && !handle.firstPageSent
                ? firstRows(handle) : null;
        return new QueryProgress(queryId, state, elapsedMs,
                first == null && !state.isFinished() && handle.progressDue(), first, handle.firstPageSent);
    }

    /**
     * The first page of a result still being stored, once its rows are; marks it sent. Null while they are not, and
     * where the warehouse stores a result whole before its query succeeds.
     */
    private ResultPage firstRows(QueryHandle handle) {
        ResultPage first = growingPages.readNow(handle, 0, handle.firstPageSize);
        if (first == null) {
            return null;
        }
        handle.firstPageSent = true;
        metrics.firstPage(System.nanoTime() - handle.startedAt, first.page().rowCount());
        TraceTags.page(handle.view(), handle.id, 0, first.page().rowCount());
        LOG.debug("query={} first page sent while its result is stored", handle.id);
        return first;
    }

    /**
     * The next poll, after the delay or as soon as the warehouse says the query has ended (or its client cancelled
     * it), whichever comes first; on a timer thread, in the trace of the step that asked for it.
     */
    CompletableFuture<QueryProgress> next(String queryId, long delayMs) {
        CompletableFuture<Void> wake = new CompletableFuture<>();
        ScheduledFuture<?> wait = timer.schedule(() -> wake.complete(null), delayMs, TimeUnit.MILLISECONDS);
        Runnable early = () -> {
            if (wait.cancel(false)) {
                // not on the warehouse's thread, which has its next query to run
                timer.execute(() -> wake.complete(null));
            }
        };
        QueryHandle handle = handles.get(queryId);
        if (handle != null) {
            handle.cancelled.thenRun(early);
            warehouse.whenEnded(handle.shared.warehouseId)
                    .ifPresent(ended -> ended.whenComplete((ignored, failure) -> early.run()));
            if (firstPageEarly && !handle.firstPageSent) {
                // its first page goes as soon as its rows are stored, not at the next poll
                results.whenStored(handle.shared.warehouseId, handle.firstPageSize)
                        .ifPresent(stored -> stored.whenComplete((ignored, failure) -> early.run()));
            }
        }
        return wake.thenApply(TraceTags.inCurrentTrace(ignored -> poll(queryId)));
    }
}
