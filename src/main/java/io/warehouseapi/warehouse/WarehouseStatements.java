package io.warehouseapi.warehouse;

import java.util.List;
import java.util.Map;

import org.apache.camel.ProducerTemplate;

/**
 * The warehouse statements that are plain SQL, sent through the routes' {@code jdbc:} steps (on the
 * {@code warehouseDataSource} of the registry, values bound as named parameters from headers), so that they are where
 * an integration engineer looks for them: the catalog of exposed views ({@code read-view-catalog}), Snowflake's
 * cancel ({@code cancel-snowflake-query}) and its RESULT_SCAN count and page ({@code count-result-scan},
 * {@code read-result-scan-page}). The adapters
 * call these at the points of a query's life where they are needed.
 */
public class WarehouseStatements {

    private final ProducerTemplate routes;

    public WarehouseStatements(ProducerTemplate routes) {
        this.routes = routes;
    }

    /** The rows (view, column, type, definition) of the catalog of a schema, in order. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> readCatalog(String schema) {
        return routes.requestBodyAndHeader("direct:read-view-catalog", null, "schema", schema, List.class);
    }

    /** Asks Snowflake to cancel a query. */
    public void cancelSnowflakeQuery(String warehouseQueryId) {
        routes.requestBodyAndHeader("direct:cancel-snowflake-query", null, "warehouseQueryId", warehouseQueryId);
    }

    /** The row count of a finished Snowflake query's persisted result. */
    @SuppressWarnings("unchecked")
    public long countResultScan(String warehouseQueryId) {
        List<Map<String, Object>> rows = routes.requestBodyAndHeader("direct:count-result-scan", null,
                "warehouseQueryId", warehouseQueryId, List.class);
        return ((Number) rows.get(0).values().iterator().next()).longValue();
    }

    /** A page of a finished Snowflake query's persisted result, each row keyed by column label in column order. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> readResultScanPage(String warehouseQueryId, long limit, long offset) {
        return routes.requestBodyAndHeaders("direct:read-result-scan-page", null,
                Map.of("warehouseQueryId", warehouseQueryId, "limit", limit, "offset", offset), List.class);
    }
}
