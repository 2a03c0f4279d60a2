package io.warehouseapi.snowflake;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.store.ResultStore.StoreColumn;
import io.warehouseapi.warehouse.ClientErrors;
import io.warehouseapi.warehouse.WarehouseStatus;
import net.snowflake.client.api.resultset.QueryStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A query the adapter runs or took up in Snowflake, by Snowflake's id: its state as monitoring last reported it
 * ({@link #read}), then the copy of its result, or, for a result too large to copy, what paging it in Snowflake needs.
 * Its state changes under its own lock.
 */
final class RemoteQuery {

    private static final Logger LOG = LoggerFactory.getLogger(RemoteQuery.class);
    /** Snowflake's error 000630: the statement reached STATEMENT_TIMEOUT_IN_SECONDS and was cancelled. */
    private static final int STATEMENT_TIMEOUT = 630;

    final String queryId;
    /** The role it runs under (its sessions' pool); null: the service's own. */
    final String role;
    QueryState state = QueryState.QUEUED;
    String error;
    volatile boolean cancelRequested;
    volatile boolean copying;
    final CompletableFuture<Void> copied = new CompletableFuture<>();
    /** Completed once its result is being copied (its rows readable as they come), or once it ended without. */
    final CompletableFuture<Void> storing = new CompletableFuture<>();
    volatile boolean fallback;
    volatile long fallbackTotal;
    volatile List<Column> fallbackColumns = List.of();
    volatile List<StoreColumn> fallbackStoreColumns = List.of();

    /** When monitoring first had no record of it, in a row ({@code System.nanoTime}); 0: it has one. */
    private long noDataSince;
    /** Stopped by Snowflake's statement timeout. */
    private volatile boolean timedOut;

    RemoteQuery(String queryId, String role) {
        this.queryId = queryId;
        this.role = role;
    }

    WarehouseStatus status() {
        return new WarehouseStatus(copying && !state.isFinished() ? QueryState.RUNNING : state, error,
                timedOut && state == QueryState.CANCELLED);
    }

    /**
     * Takes in what monitoring reported, holding this query's lock; returns whether the query has just succeeded (its
     * result is to be copied). Every state before an end is a running query to the client; {@code NO_DATA}, what
     * monitoring says for a moment after a submit and for good for an id it cannot see, fails the query once it has
     * lasted {@code noDataGrace}.
     */
    boolean read(QueryStatus remote, Duration noDataGrace) {
        switch (remote.getStatus()) {
            case SUCCESS -> {
                noDataSince = 0;
                return true;
            }
            case FAILED_WITH_ERROR, FAILED_WITH_INCIDENT -> failed(remote);
            case ABORTED, ABORTING -> state = QueryState.CANCELLED;
            case DISCONNECTED -> {
                state = QueryState.FAILED;
                error = "The query's Snowflake session was disconnected.";
            }
            case QUEUED, QUEUED_REPAIRING_WAREHOUSE, RESUMING_WAREHOUSE, BLOCKED -> state = QueryState.QUEUED;
            case NO_DATA -> {
                if (noDataSince == 0) {
                    noDataSince = System.nanoTime();
                } else if (System.nanoTime() - noDataSince > noDataGrace.toNanos()) {
                    LOG.warn("query={}: Snowflake has no record of it after {}; giving it up", queryId, noDataGrace);
                    state = QueryState.FAILED;
                    error = "Snowflake has no record of this query (any more); run the view again.";
                }
                return false;
            }
            default -> state = QueryState.RUNNING;
        }
        noDataSince = 0;
        return false;
    }

    private void failed(QueryStatus remote) {
        if (cancelRequested) {
            state = QueryState.CANCELLED;
        } else if (remote.getErrorCode() == STATEMENT_TIMEOUT) {
            // stopped by STATEMENT_TIMEOUT_IN_SECONDS: a timeout, in Snowflake's words
            LOG.info("query={} reached Snowflake's statement timeout: {}", queryId, remote.getErrorMessage());
            state = QueryState.CANCELLED;
            timedOut = true;
            error = ClientErrors.forClient(remote.getErrorMessage());
        } else {
            state = QueryState.FAILED;
            // Snowflake's whole words for the operator; for the client only what concerns its question
            LOG.info("query={} failed in Snowflake: {}", queryId, remote.getErrorMessage());
            error = ClientErrors.forClient(remote.getErrorMessage());
        }
    }
}
