package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Results larger than the result store's memory budget: they spill to the spill directory, and pages at the start,
 * the middle and the end of each still read right, end to end.
 */
class StoreSpillTest extends ApiTestSupport {

    private static final long TRIPS = 150_000;

    @Override
    protected long tripCount() {
        return TRIPS;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.memory-limit", "192MB");
        properties.setProperty("results.page-cache.max-bytes", "0");
    }

    @Test
    void results_over_the_memory_budget_spill_and_page_correctly() throws Exception {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            String[] ids = new String[3];
            for (int i = 0; i < ids.length; i++) {
                JsonNode first = client.runView("trip_weather_vw", ",\"fresh\":true,\"page_size\":1000");
                assertThat(first.path("total_rows").asLong()).isEqualTo(TRIPS);
                ids[i] = first.path("query_id").asText();
            }
            assertThat(store.usage().spilledBytes()).as("the results did not fit in 192 MB").isPositive();
            long[] expected = expected();
            for (String id : ids) {
                long count = 0;
                long sum = 0;
                long weighted = 0;
                for (long offset = 0; offset < TRIPS; offset += 1000) {
                    JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + id
                                                   + "\",\"offset\":" + offset + ",\"page_size\":1000}");
                    assertThat(page.path("offset").asLong()).as(page.toString()).isEqualTo(offset);
                    for (JsonNode row : page.path("results")) {
                        count++;
                        sum += row.path("TRIPDURATION").asLong();
                        weighted += row.path("TRIPDURATION").asLong() * row.path("BIKEID").asLong();
                    }
                }
                assertThat(new long[] {count, sum, weighted}).as("every row once").containsExactly(expected);
            }
        }
    }

    /** The count, the sum of TRIPDURATION and of TRIPDURATION × BIKEID over the view, as DuckDB computes them. */
    private long[] expected() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*), sum(TRIPDURATION), "
                                                   + "sum(TRIPDURATION::BIGINT * BIKEID) FROM trip_weather_vw")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }
}
