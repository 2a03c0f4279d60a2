package io.warehouseapi.warehouse;

import io.warehouseapi.settings.StartupException;

/**
 * The warehouse could not be reached or opened for a reason that may pass (the network, a DuckDB file another process
 * holds locked), unlike a wrong setting: the API starts without it and connects when it can.
 */
public class WarehouseUnreachableException extends StartupException {

    public WarehouseUnreachableException(String message) {
        super(message);
    }
}
