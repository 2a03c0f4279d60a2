package io.warehouseapi.warehouse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warehouse's catalog of exposed views, read with one statement (through the route {@code read-view-catalog}) that
 * returns (view, column, type, definition) rows in order for a bound schema, narrowed by the include pattern, and
 * kept until the next read. Whether the last read succeeded is the warehouse's availability.
 */
public class ViewCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ViewCatalog.class);

    private final WarehouseStatements statements;
    private final String schema;
    private volatile Pattern include;
    private final UnaryOperator<String> clientName;
    private final UnaryOperator<String> sqlName;
    private volatile List<ExposedView> views = List.of();
    private volatile boolean available;
    /** Whether the views were asked for since the last read began. */
    private volatile boolean asked = true;

    /**
     * @param clientName the name clients see for a view of the catalog
     * @param sqlName    the quoted, qualified identifier the adapter puts in its SQL for a view of the catalog
     */
    public ViewCatalog(WarehouseStatements statements, String schema, String includePattern,
                       UnaryOperator<String> clientName, UnaryOperator<String> sqlName) {
        this.statements = statements;
        this.schema = schema;
        this.include = Pattern.compile(includePattern, Pattern.CASE_INSENSITIVE);
        this.clientName = clientName;
        this.sqlName = sqlName;
    }

    /** Changes the include pattern; takes effect at the next {@link #refresh()}. */
    public void include(String includePattern) {
        Pattern pattern = Pattern.compile(includePattern, Pattern.CASE_INSENSITIVE);
        if (!pattern.pattern().equals(include.pattern())) {
            LOG.info("Exposing the views that match {}", includePattern);
        }
        include = pattern;
    }

    public List<ExposedView> views() {
        asked = true;
        return views;
    }

    /** How many views are exposed, without counting as a use of the catalog (for health checks). */
    public int size() {
        return views.size();
    }

    /**
     * Whether the catalog is worth reading again: its views were asked for since its last read, its last read
     * failed, or the include pattern changed. An idle API reads nothing, so that a warehouse that runs only for
     * statements (Snowflake's, which suspends itself) is not kept running by the periodic read alone.
     */
    public boolean inUse(String includePattern) {
        return asked || !available || !include.pattern().equals(includePattern);
    }

    public boolean isAvailable() {
        return available;
    }

    /** Marks the warehouse unreachable after a failed call, until the next successful read. */
    public void unavailable() {
        available = false;
    }

    /** Reads the catalog again; on failure keeps the last views and marks the warehouse unreachable. */
    public void refresh() {
        asked = false;
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Map<String, String> definitions = new LinkedHashMap<>();
        List<Map<String, Object>> rows;
        try {
            rows = statements.readCatalog(schema);
        } catch (RuntimeException e) {
            available = false;
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            LOG.warn("Cannot read the catalog of schema {}: {}", schema, message.lines().findFirst().orElse(""));
            return;
        }
        for (Map<String, Object> row : rows) {
            String view = text(row, "view_name");
            if (view != null && include.matcher(view).matches()) {
                columns.computeIfAbsent(view, v -> new ArrayList<>())
                        .add(new Column(text(row, "column_name"), text(row, "data_type")));
                definitions.putIfAbsent(view, text(row, "definition"));
            }
        }
        List<ExposedView> loaded = new ArrayList<>();
        columns.forEach((view, cols) -> loaded.add(new ExposedView(clientName.apply(view), sqlName.apply(view), cols,
                definitions.get(view))));
        if (!loaded.equals(views)) {
            LOG.info("Exposed views: {}", loaded.stream().map(ExposedView::name).toList());
        }
        views = List.copyOf(loaded);
        available = true;
    }

    /** A column of a catalog row by its label, whatever case the warehouse gave it (Snowflake's are upper case). */
    private static String text(Map<String, Object> row, String label) {
        for (Map.Entry<String, Object> column : row.entrySet()) {
            if (column.getKey().equalsIgnoreCase(label)) {
                return column.getValue() == null ? null : column.getValue().toString();
            }
        }
        return null;
    }
}
