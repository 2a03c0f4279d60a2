package io.warehouseapi.query;

import io.warehouseapi.model.QueryState;

/** The outcome of a cancel request: cancelled now, or already ended in {@code state}. */
public record CancelOutcome(String queryId, boolean cancelled, QueryState state) {
}
