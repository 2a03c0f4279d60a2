package io.warehouseapi.warehouse;

import java.util.List;

/**
 * A view the API exposes. {@code name} is what clients see and ask for (matched without regard to case);
 * {@code sqlName} is the fully qualified, quoted identifier the warehouse adapter puts in its SQL. Only names taken
 * from the warehouse's own catalog ever become an {@code ExposedView}.
 */
public record ExposedView(String name, String sqlName, List<Column> columns) {

    public ExposedView {
        columns = List.copyOf(columns);
    }
}
