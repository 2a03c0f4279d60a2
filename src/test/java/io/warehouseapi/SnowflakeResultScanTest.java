package io.warehouseapi;

import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.query.QueryService;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Snowflake only: a result larger than the local copy allows is paged in Snowflake with RESULT_SCAN, its parameters
 * bound; cancel reaches Snowflake as SYSTEM$CANCEL_QUERY with the id bound.
 */
class SnowflakeResultScanTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 1_000;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.snowflake.local-copy.max-rows", "300");
    }

    @Test
    void a_result_over_the_local_copy_limit_is_paged_with_result_scan_and_bound_parameters() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("trip_weather_vw", ",\"page_size\":250");
            String queryId = first.path("query_id").asText();
            // Snowflake's own id of the query, which the statements bind
            String snowflakeId = bean("queries", QueryService.class).warehouseIdOf(queryId);
            assertThat(first.path("total_rows").asLong()).isEqualTo(1_000);
            assertThat(first.path("row_count").asInt()).isEqualTo(250);
            Set<String> keys = new HashSet<>();
            first.path("results").forEach(row -> keys.add(key(row)));
            for (int offset = 250; offset < 1_000; offset += 250) {
                JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                               + "\",\"offset\":\"" + offset + "\",\"page_size\":250}");
                assertThat(page.path("offset").asInt()).isEqualTo(offset);
                assertThat(page.path("row_count").asInt()).isEqualTo(250);
                page.path("results").forEach(row -> keys.add(key(row)));
            }
            assertThat(keys).hasSize(1_000);
            JsonNode past = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":1000}");
            assertThat(past.path("row_count").asInt()).isZero();

            // each page ran as RESULT_SCAN in the order of the rows' numbers, with the query id, page size and offset
            // bound; the size came with the first answer, without a count
            assertThat(snowflake.statements).contains("SELECT * EXCLUDE (\"__WAREHOUSE_API_ROW\") FROM "
                    + "TABLE(RESULT_SCAN(?)) ORDER BY \"__WAREHOUSE_API_ROW\" LIMIT ? OFFSET ?");
            assertThat(snowflake.statements).doesNotContain("SELECT COUNT(*) FROM TABLE(RESULT_SCAN(?))");
            assertThat(snowflake.resultScanBindings).anySatisfy(bindings -> {
                assertThat(bindings.path("1").path("value").asText()).isEqualTo(snowflakeId);
                assertThat(bindings.path("2").path("value").asText()).isEqualTo("250");
                assertThat(bindings.path("3").path("value").asText()).isEqualTo("750");
            });
            assertThat(snowflake.statements).noneMatch(sql -> sql.contains(snowflakeId) && sql.contains("LIMIT"));
        }
    }

    @Test
    void pages_keep_the_questions_order_whether_copied_or_read_with_result_scan() throws Exception {
        // RESULT_SCAN promises no order, and the double gives its rows in a new order at every read
        try (WsClient client = connect()) {
            // 1,000 rows: paged with RESULT_SCAN
            assertOrdered(client, "", 1_000);
            // fewer than 300: copied
            long copied = queryLong("SELECT count(*) FROM trip_weather_vw WHERE TRIPDURATION > 1000");
            assertThat(copied).isBetween(1L, 299L);
            assertOrdered(client, ",\"filters\":{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":1000}",
                    copied);
        }
    }

    /** Pages through a question ordered by TRIPDURATION, then STARTTIME, descending: every row once, in order. */
    private static void assertOrdered(WsClient client, String filters, long expected) {
        JsonNode first = client.runView("trip_weather_vw", ",\"page_size\":100,\"fresh\":true" + filters
                + ",\"order_by\":[{\"column\":\"TRIPDURATION\",\"direction\":\"desc\"},"
                + "{\"column\":\"STARTTIME\",\"direction\":\"desc\"},{\"column\":\"BIKEID\"}]");
        assertThat(first.path("type").asText()).as("%s", first).isEqualTo("results");
        assertThat(first.path("total_rows").asLong()).isEqualTo(expected);
        String queryId = first.path("query_id").asText();
        java.util.List<JsonNode> rows = new java.util.ArrayList<>();
        first.path("results").forEach(rows::add);
        for (int offset = 100; offset < expected; offset += 100) {
            JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                           + "\",\"offset\":" + offset + ",\"page_size\":100}");
            page.path("results").forEach(rows::add);
        }
        assertThat(rows.stream().map(SnowflakeResultScanTest::key).distinct().count()).isEqualTo(expected);
        for (int i = 1; i < rows.size(); i++) {
            JsonNode before = rows.get(i - 1);
            JsonNode row = rows.get(i);
            int duration = Integer.compare(before.path("TRIPDURATION").asInt(), row.path("TRIPDURATION").asInt());
            int started = before.path("STARTTIME").asText().compareTo(row.path("STARTTIME").asText());
            assertThat(duration > 0 || duration == 0 && started >= 0).as("row %d in order", i).isTrue();
        }
    }

    @Test
    void cancel_reaches_snowflake_as_system_cancel_query_with_the_id_bound() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            String snowflakeId = bean("queries", QueryService.class).warehouseIdOf(queryId);
            await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 1);
            JsonNode cancelled = client.request("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            if (cancelled.path("type").asText().equals("error")) {
                cancelled = client.next();
            }
            assertThat(cancelled.path("type").asText()).isEqualTo("cancelled");
            await().atMost(Duration.ofSeconds(10)).until(() -> snowflake.cancelled.contains(snowflakeId));
            assertThat(snowflake.statements).contains("SELECT SYSTEM$CANCEL_QUERY(?)");
            assertThat(snowflake.statements).noneMatch(sql -> sql.contains(snowflakeId));
        }
    }

    private static String key(JsonNode row) {
        return row.path("STARTTIME").asText() + "|" + row.path("BIKEID").asText() + "|" + row.path("TRIPDURATION").asText();
    }
}
