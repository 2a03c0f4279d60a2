package io.warehouseapi.warehouse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warehouse's catalog of exposed views, read with one statement that returns (view, column, type, definition) rows
 * in order for a bound schema, narrowed by the include pattern, and kept until the next read. Whether the last read succeeded is
 * the warehouse's availability.
 */
public class ViewCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ViewCatalog.class);

    private final DataSource dataSource;
    private final String sql;
    private final String schema;
    private volatile Pattern include;
    private final UnaryOperator<String> clientName;
    private final UnaryOperator<String> sqlName;
    private volatile List<ExposedView> views = List.of();
    private volatile boolean available;

    /**
     * @param clientName the name clients see for a view of the catalog
     * @param sqlName    the quoted, qualified identifier the adapter puts in its SQL for a view of the catalog
     */
    public ViewCatalog(DataSource dataSource, String sql, String schema, String includePattern,
                       UnaryOperator<String> clientName, UnaryOperator<String> sqlName) {
        this.dataSource = dataSource;
        this.sql = sql;
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
        return views;
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
        Map<String, List<Column>> columns = new LinkedHashMap<>();
        Map<String, String> definitions = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String view = rs.getString(1);
                    if (include.matcher(view).matches()) {
                        columns.computeIfAbsent(view, v -> new ArrayList<>())
                                .add(new Column(rs.getString(2), rs.getString(3)));
                        definitions.putIfAbsent(view, rs.getString(4));
                    }
                }
            }
        } catch (SQLException e) {
            available = false;
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warn("Cannot read the catalog of schema {}: {}", schema, message.lines().findFirst().orElse(""));
            return;
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
}
