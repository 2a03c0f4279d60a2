package io.warehouseapi.warehouse;

import io.warehouseapi.model.QueryState;

/** The state of a warehouse query and, when it failed, the warehouse's own message. */
public record WarehouseStatus(QueryState state, String errorMessage) {

    public static WarehouseStatus of(QueryState state) {
        return new WarehouseStatus(state, null);
    }

    public static WarehouseStatus failed(String message) {
        return new WarehouseStatus(QueryState.FAILED, message);
    }
}
