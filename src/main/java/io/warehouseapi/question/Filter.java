package io.warehouseapi.question;

import java.util.List;

/** A resolved filter expression: column names from the catalog, values bound to their columns' types. */
public sealed interface Filter {

    /** {@code column op value}: {@code values} holds one value, the {@code in} list, or none. */
    record Condition(String column, ColumnType type, Operator op, List<Object> values) implements Filter {
        public Condition {
            values = List.copyOf(values);
        }
    }

    /** {@code and} ({@code any} false) or {@code or} ({@code any} true) of its members. */
    record Group(boolean any, List<Filter> members) implements Filter {
        public Group {
            members = List.copyOf(members);
        }
    }

    record Not(Filter inner) implements Filter {
    }
}
