package io.warehouseapi.store;

import java.util.List;

import io.warehouseapi.warehouse.Column;

/** One page of a stored result: at most a page size of rows, each an array of column values in column order. */
public record Page(String queryId, long offset, int pageSize, long totalRows, List<Column> columns, List<Object[]> rows) {
}
