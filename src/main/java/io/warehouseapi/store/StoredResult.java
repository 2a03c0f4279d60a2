package io.warehouseapi.store;

import java.time.Instant;
import java.util.List;

import io.warehouseapi.model.Column;

/**
 * A finished query's result in the local result store: {@code columns} as clients see them (names and the
 * warehouse's type names), {@code storeColumns} as the store's table holds them (names and DuckDB types), in the
 * same order.
 */
public record StoredResult(String queryId, String table, List<Column> columns, List<Column> storeColumns,
                           long totalRows, Instant storedAt) {

    public StoredResult {
        columns = List.copyOf(columns);
        storeColumns = List.copyOf(storeColumns);
    }
}
