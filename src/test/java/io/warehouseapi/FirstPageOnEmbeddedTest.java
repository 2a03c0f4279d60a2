package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first page while the embedded warehouse stores the rest of a result in the same statement: its first rows go as
 * the engine hands them over; a page past them is answered once the result is stored; {@code complete} follows with
 * the count; the whole result is the engine's answer, and the first page the stored result's first rows; joined and
 * reused clients see the same rows; a cancel or a failure while storing ends it for every client that got the first
 * page, and drops what was stored; an ordered question's first page waits for the ordering.
 */
class FirstPageOnEmbeddedTest extends ApiTestSupport {

    /** Rows of the slow view: each costs the engine a few hashes, so the whole takes a while to store. */
    private static final int ROWS = 400_000;

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        properties.setProperty("results.first-page-early", "true");
    }

    @Override
    protected void beforeStart() throws Exception {
        executeOnWarehouseFile(
                "CREATE OR REPLACE VIEW hashed_vw AS SELECT i AS N, md5(md5(md5(md5(i::VARCHAR)))) AS DIGEST, "
                + "(i % 1000) / 8 AS SHARE FROM range(" + ROWS + ") r(i)",
                "CREATE OR REPLACE VIEW failing_late_vw AS SELECT i AS N, CASE WHEN i = " + (ROWS - 10)
                + " THEN error('Sensor data for hour " + (ROWS - 10) + " is corrupt') "
                + "ELSE md5(md5(md5(md5(i::VARCHAR)))) END AS DIGEST FROM range(" + ROWS + ") r(i)",
                // rows without end: a cancel always comes while it is stored
                "CREATE OR REPLACE VIEW endless_vw AS SELECT i AS N, md5(md5(i::VARCHAR)) AS DIGEST "
                + "FROM range(100000000000) r(i)");
    }

    @Test
    void the_first_page_goes_before_the_rest_is_stored_and_the_whole_is_the_engines_answer() throws Exception {
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"hashed_vw\",\"fresh\":true,\"request_id\":\"run\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode first = client.await("results");
            assertThat(first.path("complete").asBoolean(true)).as("%s", first.path("complete")).isFalse();
            assertThat(first.path("total_rows").isNull()).isTrue();
            assertThat(first.path("row_count").asInt()).isEqualTo(100);
            assertThat(first.path("columns").toString()).contains("\"N\"", "\"DIGEST\"", "\"SHARE\"");
            // the page just past the first, asked the moment the first arrives, and the query's state
            client.send(fetch(queryId, 100, 100, "next"));
            client.send("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\",\"request_id\":\"status\"}");
            List<String> order = new ArrayList<>();
            Map<String, JsonNode> replies = client.repliesById(3, order);
            // RUNNING while the rest is stored, the rows handed over so far counted
            assertThat(order.indexOf("status:status")).as("%s", order).isLessThan(order.indexOf("run:complete"));
            assertThat(replies.get("status").path("status").asText()).isEqualTo("RUNNING");
            assertThat(replies.get("status").path("rows_stored").asLong()).isBetween(100L, (long) ROWS);
            assertThat(replies.get("run").path("type").asText()).isEqualTo("complete");
            assertThat(replies.get("run").path("total_rows").asLong()).isEqualTo(ROWS);
            JsonNode next = replies.get("next");
            assertThat(next.path("row_count").asInt()).isEqualTo(100);

            // once complete: the first page is the stored result's first page, computed at the same instant, and
            // the whole result, paged, is the engine's answer
            JsonNode again = client.request(fetch(queryId, 0, 100, "again"));
            assertThat(again.path("results")).isEqualTo(first.path("results"));
            assertThat(again.path("computed_at")).isEqualTo(first.path("computed_at"));
            assertThat(client.request(fetch(queryId, 100, 100, "next-again")).path("results"))
                    .isEqualTo(next.path("results"));
            List<String> paged = new ArrayList<>();
            for (int offset = 0; offset < ROWS; offset += 1000) {
                JsonNode page = client.request(fetch(queryId, offset, 1000, "p" + offset));
                assertThat(page.path("total_rows").asLong()).isEqualTo(ROWS);
                rows(page, paged);
            }
            List<String> engine = engineRows("SELECT N, DIGEST, SHARE FROM hashed_vw");
            assertThat(paged).hasSize(ROWS);
            assertThat(paged.subList(0, 100)).isEqualTo(rows(first, new ArrayList<>()));
            paged.sort(null);
            engine.sort(null);
            assertThat(paged).isEqualTo(engine);
        }
    }

    @Test
    void joined_and_reused_clients_see_the_same_rows() throws Exception {
        try (WsClient one = connect(); WsClient two = connect()) {
            String question = ",\"filters\":{\"column\":\"N\",\"op\":\"gte\",\"value\":0}";
            one.send("{\"action\":\"run_view\",\"view_name\":\"hashed_vw\",\"fresh\":true" + question + "}");
            one.next("submitted");
            one.next("running");
            JsonNode first = one.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            JsonNode joined = two.runView("hashed_vw", question);
            assertThat(joined.path("results")).isEqualTo(first.path("results"));
            // no request_id: no complete message; a page far past the first is answered once stored
            JsonNode later = one.request(fetch(first.path("query_id").asText(), ROWS - 100, 100, "later"));
            assertThat(later.path("row_count").asInt()).isEqualTo(100);
            assertThat(later.path("total_rows").asLong()).isEqualTo(ROWS);
            try (WsClient three = connect()) {
                JsonNode reused = three.runView("hashed_vw", question);
                assertThat(reused.path("total_rows").asLong()).isEqualTo(ROWS);
                assertThat(reused.has("complete")).isFalse();
                assertThat(reused.path("results")).isEqualTo(first.path("results"));
            }
            assertThat(one.drain(Duration.ofMillis(300))).extracting(m -> m.path("type").asText())
                    .doesNotContain("complete", "results", "error");
        }
    }

    @Test
    void a_cancel_while_storing_stops_it_and_drops_what_was_stored() throws Exception {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"endless_vw\",\"request_id\":\"run\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode first = client.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            String warehouseId = bean("queries", io.warehouseapi.query.QueryService.class).warehouseIdOf(queryId);
            client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\",\"request_id\":\"stop\"}");
            Map<String, JsonNode> replies = client.repliesById(2, null);
            assertThat(replies.get("stop").path("type").asText()).isEqualTo("cancelled");
            assertThat(replies.get("run").path("type").asText()).isEqualTo("error");
            assertThat(replies.get("run").path("code").asText()).isEqualTo("QUERY_CANCELLED");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> store.growing(warehouseId) == null && store.tableCount(warehouseId) == 0);
            assertThat(store.find(warehouseId)).isNull();
        }
    }

    @Test
    void a_failure_after_the_first_page_reaches_every_client_that_got_it() throws Exception {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient one = connect(); WsClient two = connect()) {
            one.send("{\"action\":\"run_view\",\"view_name\":\"failing_late_vw\",\"fresh\":true,\"request_id\":\"run\"}");
            one.next("submitted");
            String queryId = one.next("running").path("query_id").asText();
            JsonNode first = one.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            two.send("{\"action\":\"run_view\",\"view_name\":\"failing_late_vw\",\"request_id\":\"join\"}");
            two.next("submitted");
            two.next("running");
            JsonNode joined = two.await("results");
            if (joined.path("type").asText().equals("results")) {
                assertThat(joined.path("results")).isEqualTo(first.path("results"));
            }
            for (WsClient client : List.of(one, two)) {
                JsonNode error = joined.path("type").asText().equals("error") && client == two ? joined
                        : WsClient.parse(client.nextText(Duration.ofMinutes(2)));
                while ("progress".equals(error.path("type").asText())) {
                    error = WsClient.parse(client.nextText(Duration.ofMinutes(2)));
                }
                assertThat(error.path("type").asText()).as("%s", error).isEqualTo("error");
                assertThat(error.path("code").asText()).isEqualTo("QUERY_FAILED");
                assertThat(error.path("message").asText()).contains("is corrupt");
            }
            String warehouseId = bean("queries", io.warehouseapi.query.QueryService.class).warehouseIdOf(queryId);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> store.growing(warehouseId) == null && store.tableCount(warehouseId) == 0);
            // nothing half-stored is reused: the view runs again, and fails again
            JsonNode again = one.runView("failing_late_vw", "");
            assertThat(again.path("complete").asBoolean(true)).isFalse();
            assertThat(again.path("query_id").asText()).isNotEqualTo(queryId);
            assertThat(again.path("row_count").asInt()).isEqualTo(100);
        }
    }

    @Test
    void an_ordered_questions_first_page_waits_for_the_ordering() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("hashed_vw", ",\"fresh\":true,\"order_by\":[{\"column\":\"DIGEST\"}]");
            assertThat(first.has("complete")).isFalse();
            assertThat(first.path("total_rows").asLong()).isEqualTo(ROWS);
            List<String> engine = engineRows("SELECT N, DIGEST, SHARE FROM hashed_vw ORDER BY DIGEST LIMIT 100");
            assertThat(rows(first, new ArrayList<>())).isEqualTo(engine);
        }
    }

    private static String fetch(String queryId, long offset, int pageSize, String requestId) {
        return "{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":" + offset
               + ",\"page_size\":" + pageSize + ",\"request_id\":\"" + requestId + "\"}";
    }

    private static List<String> rows(JsonNode results, List<String> rows) {
        results.path("results").forEach(row -> rows.add(row.path("N").asLong() + "|" + row.path("DIGEST").asText()
                                                        + "|" + row.path("SHARE").asText()));
        return rows;
    }

    /** The engine's own answer, as N|DIGEST|SHARE. */
    private List<String> engineRows(String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        }
        return rows;
    }
}
