package io.warehouseapi.question;

import java.util.ArrayList;
import java.util.List;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;

/**
 * What one principal may see: for each view, the view as it appears to the principal (only its granted columns), and
 * the rows it may see (a filter whose values are bound, never spliced), or nothing at all. A question is resolved
 * against the visible view, so a column outside it is unknown wherever it is named, and its selection is then
 * {@linkplain #narrow narrowed}: the rows filter ANDed with the client's own, the granted columns when it asked for
 * none. Two principals share a query only when their narrowed selections are equal.
 */
public interface Scope {

    /** Everything: every view, every column, every row (no access policies are set). */
    Scope EVERYTHING = view -> new Access(view, null, false, null);

    /** What this scope grants of a view; null if the view does not exist for it. */
    Access of(ExposedView view);

    /** The tenant the principal belongs to, whose queries are capped together and queued fairly; null for none. */
    default Tenant tenant() {
        return null;
    }

    /**
     * A tenant: its name (a claim's value), and how many of its queries may run or wait in the warehouse at once.
     */
    record Tenant(String name, int maxQueries) {
    }

    /**
     * A view as one scope sees it.
     *
     * @param visible    the view with only the granted columns
     * @param rows       the rows it may see, resolved against the whole view; null: every row
     * @param restricted whether {@code visible} leaves columns out
     * @param warehouseRole the warehouse role its queries run under (Snowflake's); null: the service's own
     */
    record Access(ExposedView visible, Filter rows, boolean restricted, String warehouseRole) {

        /** The client's selection of the visible view, narrowed to what the scope grants. */
        public Selection narrow(Selection asked) {
            List<String> columns = asked.columns();
            if (columns == null && restricted) {
                columns = new ArrayList<>();
                for (Column column : visible.columns()) {
                    columns.add(column.name());
                }
            }
            Filter where = asked.where();
            if (rows != null) {
                where = where == null ? rows : new Filter.Group(false, List.of(rows, where));
            }
            return new Selection(asked.view(), asked.sqlName(), columns, where, asked.orderBy(), warehouseRole);
        }
    }
}
