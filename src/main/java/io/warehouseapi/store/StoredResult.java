package io.warehouseapi.store;

import java.time.Instant;
import java.util.List;

import io.warehouseapi.model.Column;

/**
 * A finished query's result in the local result store: {@code columns} as clients see them (names and the
 * warehouse's type names), {@code storeColumns} as the store's table holds them (names and DuckDB types), in the
 * same order. A {@code numbered} result keeps its order in {@link ResultStore#NUMBER_COLUMN} rather than in its row
 * ids: the engine stored it as it handed its rows over, the first of them sent meanwhile.
 */
public record StoredResult(String queryId, String table, List<Column> columns, List<Column> storeColumns,
                           long totalRows, Instant storedAt, boolean numbered) {

    public StoredResult {
        columns = List.copyOf(columns);
        storeColumns = List.copyOf(storeColumns);
    }

    public StoredResult(String queryId, String table, List<Column> columns, List<Column> storeColumns,
                        long totalRows, Instant storedAt) {
        this(queryId, table, columns, storeColumns, totalRows, storedAt, false);
    }

    /** What orders the table's rows: its row ids, or the numbers the engine gave them as it handed them over. */
    String position() {
        return numbered ? io.warehouseapi.model.Identifiers.quote(ResultStore.NUMBER_COLUMN) : "rowid";
    }

    /** The ORDER BY a read of a range of {@link #position()} needs: none for row ids, read in order anyway. */
    String order() {
        return numbered ? " ORDER BY " + position() : "";
    }
}
