package io.warehouseapi.query;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's query id: its owner, the connection that waits for it, its progress, attached to a shared query. Its
 * end is logged and metered once.
 */
final class QueryHandle {

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);
    private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    final String id;
    final Owner owner;
    /** The connection that waits for it; its owner once that connection closed or when taken up here. */
    volatile String connection;
    final SharedQuery shared;
    final boolean wantsProgress;
    final Instant expiresAt;
    final long startedAt = System.nanoTime();
    /** Taken up from another replica (or from before this one restarted): no run_view route waits for it. */
    volatile boolean adopted;
    /** The tenant of its principal under the access policies (its queries are capped together); null for none. */
    volatile String tenant;
    /** Its connection closed while it ran; its principal has not taken it up again yet. */
    volatile boolean orphaned;
    /** Completed when this client cancels, or gives up the query when its connection closes. */
    final CompletableFuture<Void> cancelled = new CompletableFuture<>();
    private final ApiMetrics metrics;
    private long lastProgressAt = startedAt;
    volatile long finishedAt;
    /** How it ended (SUCCESS, FAILED, CANCELLED, TIMEOUT), once it has. */
    volatile String outcome;
    volatile boolean seenRunning;
    /** The page size its run_view asked for: its first page's. */
    volatile int firstPageSize = 100;
    /** Its first page was sent while the rest of its result was still being stored. */
    volatile boolean firstPageSent;
    private boolean released;

    QueryHandle(String id, Owner owner, String connection, SharedQuery shared, boolean wantsProgress,
                Instant expiresAt, ApiMetrics metrics) {
        this.id = id;
        this.expiresAt = expiresAt;
        this.owner = owner;
        this.connection = connection;
        this.shared = shared;
        this.wantsProgress = wantsProgress;
        this.metrics = metrics;
    }

    String view() {
        return shared.question.view();
    }

    boolean isFinished() {
        return finishedAt != 0;
    }

    long elapsedMs() {
        long end = finishedAt != 0 ? finishedAt : System.nanoTime();
        return (end - startedAt) / 1_000_000;
    }

    boolean isCancelled() {
        return cancelled.isDone();
    }

    void cancel() {
        cancelled.complete(null);
    }

    /** Cancelled by its client or its connection's end: its waiting ends and it counts as cancelled. */
    void giveUp() {
        cancel();
        finished(QueryState.CANCELLED);
    }

    /** Gives up this id's use of its shared query; true the first time. */
    synchronized boolean release() {
        if (released) {
            return false;
        }
        released = true;
        shared.detach();
        return true;
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
        if (finishedAt != 0) {
            return;
        }
        finishedAt = System.nanoTime();
        String outcome = shared.timedOut && !isCancelled() ? "TIMEOUT" : state.name();
        this.outcome = outcome;
        LOG.info("query={} view={} state={} duration_ms={} trace_id={}", id, view(), outcome, elapsedMs(),
                TraceTags.traceId());
        metrics.queryFinished(switch (outcome) {
            case "SUCCESS" -> "succeeded";
            case "FAILED" -> "failed";
            case "TIMEOUT" -> "timeout";
            default -> "cancelled";
        });
    }
}
