package io.warehouseapi.model;

import java.util.List;

/**
 * A view the API exposes. {@code name} is what clients see and ask for (matched without regard to case);
 * {@code sqlName} is the fully qualified, quoted identifier the warehouse adapter puts in its SQL;
 * {@code definition} is what the catalog says of the view's definition (its text, or when it was last altered),
 * which changes whenever the view is redefined, so that a result of the old definition is never reused. Only names
 * taken from the warehouse's own catalog ever become an {@code ExposedView}.
 */
public record ExposedView(String name, String sqlName, List<Column> columns, String definition) {

    public ExposedView {
        columns = List.copyOf(columns);
        definition = definition == null ? "" : definition;
    }
}
