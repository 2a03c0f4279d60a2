package io.warehouseapi.warehouse;

import io.warehouseapi.model.QueryState;

/**
 * The state of a warehouse query and, when it failed, the warehouse's own message; {@code timedOut} when the warehouse
 * stopped it for its own statement timeout (state CANCELLED).
 */
public record WarehouseStatus(QueryState state, String errorMessage, boolean timedOut) {

    public WarehouseStatus(QueryState state, String errorMessage) {
        this(state, errorMessage, false);
    }

    /** Stopped by the warehouse's statement timeout, with its words. */
    public static WarehouseStatus timedOut(String message) {
        return new WarehouseStatus(QueryState.CANCELLED, message, true);
    }

    public static WarehouseStatus of(QueryState state) {
        return new WarehouseStatus(state, null);
    }

    public static WarehouseStatus failed(String message) {
        return new WarehouseStatus(QueryState.FAILED, message);
    }
}
