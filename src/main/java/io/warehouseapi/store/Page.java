package io.warehouseapi.store;

import java.util.List;

import io.warehouseapi.model.Column;

/**
 * One page of a stored result: at most a page size of rows, already shaped as the JSON array a {@code results} reply
 * carries ({@link RowsJson}), so that a page can be kept and sent again without reading or shaping it again.
 */
public record Page(String queryId, long offset, int pageSize, long totalRows, List<Column> columns, int rowCount,
                   String rowsJson) {

    /** The total of a page sent while the rest of its result is still being stored. */
    public static final long UNKNOWN_TOTAL = -1;

    /** Whether its result is whole (its total known), rather than still being stored. */
    public boolean complete() {
        return totalRows != UNKNOWN_TOTAL;
    }

    /** A page of {@code rows}, each an array of values in the order of {@code columns}. */
    public static Page of(String queryId, long offset, int pageSize, long totalRows, List<Column> columns,
                          List<Object[]> rows) {
        return new Page(queryId, offset, pageSize, totalRows, columns, rows.size(), RowsJson.render(columns, rows));
    }
}
