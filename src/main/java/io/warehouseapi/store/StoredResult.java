package io.warehouseapi.store;

import java.time.Instant;
import java.util.List;

import io.warehouseapi.warehouse.Column;

/** A finished query's result in the local result store. */
public record StoredResult(String queryId, String table, List<Column> columns, long totalRows, Instant storedAt) {

    public StoredResult {
        columns = List.copyOf(columns);
    }
}
