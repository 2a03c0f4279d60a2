package io.warehouseapi.query;

import io.warehouseapi.model.QueryState;

/**
 * What one poll of a running query found: its state, how long it has run, and whether a progress reply is due (at
 * most about once a second, and only to requests that carry a request id).
 */
public record QueryProgress(String queryId, QueryState state, long elapsedMs, boolean progressDue) {

    public boolean isFinished() {
        return state.isFinished();
    }
}
