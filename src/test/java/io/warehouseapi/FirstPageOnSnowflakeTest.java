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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first page while the rest of a result is still copied from Snowflake: the answer's first chunk is stored and
 * its first page sent while the double's storage serves the other chunks slowly; pages asked before their rows are
 * stored are answered once they are; {@code complete} follows with the count; every row agrees with the engine's own
 * answer; a cancel or a failure while storing ends it for every client that got the first page.
 */
class FirstPageOnSnowflakeTest extends ApiTestSupport {

    private static final int TRIPS = 5_000;
    private static final String ORDERED = ",\"order_by\":[{\"column\":\"STARTTIME\"},{\"column\":\"BIKEID\"}]";

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return TRIPS;
    }

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        // the driver retries a chunk it cannot fetch this long
        properties.setProperty("warehouse.snowflake.retry-timeout", "3");
        properties.setProperty("results.first-page-early", "true");
    }

    @AfterEach
    void chunksAsUsual() {
        snowflake.chunkFetchDelay(Duration.ZERO);
        snowflake.chunkUrlLifetime(Duration.ofHours(6));
    }

    @Test
    void the_first_page_goes_before_the_rest_is_stored_and_later_pages_once_theirs_are() throws Exception {
        // the first 300 rows come with the answer; each of the 7 chunk files takes 1.5 s to fetch
        snowflake.chunkFetchDelay(Duration.ofMillis(1500));
        List<String> engine = engineRows();
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true,"
                        + "\"request_id\":\"run\"" + ORDERED + "}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode first = client.await("results");
            assertThat(first.path("complete").asBoolean(true)).as("%s", first.path("complete")).isFalse();
            assertThat(first.path("total_rows").isNull()).isTrue();
            assertThat(first.path("row_count").asInt()).isEqualTo(100);
            assertThat(rows(first)).isEqualTo(engine.subList(0, 100));
            // the page just past the first, and one of the last chunk's, asked the moment the first arrives, and
            // the query's state
            client.send(fetch(queryId, 100, "next"));
            client.send(fetch(queryId, TRIPS - 100, "last"));
            client.send("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\",\"request_id\":\"status\"}");
            List<String> order = new ArrayList<>();
            Map<String, JsonNode> replies = client.repliesById(4, order);
            JsonNode next = replies.get("next");
            // its rows were stored with the first chunk: answered at once, the result still incomplete
            assertThat(order.indexOf("next:results")).isNotNegative().isLessThan(order.indexOf("run:complete"));
            // RUNNING while the rest is stored, with the rows stored so far
            JsonNode status = replies.get("status");
            assertThat(order.indexOf("status:status")).isLessThan(order.indexOf("run:complete"));
            assertThat(status.path("status").asText()).isEqualTo("RUNNING");
            assertThat(status.path("rows_stored").asLong()).isBetween(100L, TRIPS - 1L);
            assertThat(next.path("complete").asBoolean(true)).isFalse();
            assertThat(rows(next)).isEqualTo(engine.subList(100, 200));
            assertThat(replies.get("run").path("type").asText()).isEqualTo("complete");
            assertThat(replies.get("run").path("total_rows").asLong()).isEqualTo(TRIPS);
            assertThat(rows(replies.get("last"))).isEqualTo(engine.subList(TRIPS - 100, TRIPS));
            // once complete, the whole result pages as before, row for row the engine's
            List<String> paged = new ArrayList<>();
            for (int offset = 0; offset < TRIPS; offset += 1000) {
                JsonNode page = client.request(fetch(queryId, offset, "p" + offset).replace("}", ",\"page_size\":1000}"));
                assertThat(page.path("total_rows").asLong()).isEqualTo(TRIPS);
                assertThat(page.has("complete")).isFalse();
                // the result the early pages came from: computed at the same instant
                assertThat(page.path("computed_at")).isEqualTo(first.path("computed_at"));
                paged.addAll(rows(page));
            }
            assertThat(paged).isEqualTo(engine);
        }
    }

    @Test
    void joined_and_reused_clients_see_the_same_rows() throws Exception {
        snowflake.chunkFetchDelay(Duration.ofMillis(1000));
        try (WsClient one = connect(); WsClient two = connect()) {
            String question = ",\"filters\":{\"column\":\"TRIPDURATION\",\"op\":\"gte\",\"value\":0}" + ORDERED;
            one.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true" + question + "}");
            one.next("submitted");
            one.next("running");
            JsonNode first = one.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            // joins the query whose result is being stored
            JsonNode joined = two.runView("trip_weather_vw", question);
            assertThat(joined.path("results")).isEqualTo(first.path("results"));
            // no request_id: no complete message; the page after it is answered once stored
            JsonNode later = one.request(fetch(first.path("query_id").asText(), 4000, "later"));
            assertThat(later.path("row_count").asInt()).isEqualTo(100);
            try (WsClient three = connect()) {
                JsonNode reused = three.runView("trip_weather_vw", question);
                assertThat(reused.path("total_rows").asLong()).isEqualTo(queryLong(
                        "SELECT count(*) FROM trip_weather_vw WHERE TRIPDURATION >= 0"));
                assertThat(reused.has("complete")).isFalse();
                assertThat(reused.path("results")).isEqualTo(first.path("results"));
            }
            assertThat(one.drain(Duration.ofMillis(300))).extracting(m -> m.path("type").asText())
                    .doesNotContain("complete", "results", "error");
        }
    }

    @Test
    void a_cancel_while_storing_stops_the_copy_and_drops_what_was_stored() throws Exception {
        snowflake.chunkFetchDelay(Duration.ofMillis(2000));
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true,"
                        + "\"request_id\":\"run\"" + ORDERED + "}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode first = client.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            String warehouseId = bean("queries", io.warehouseapi.query.QueryService.class).warehouseIdOf(queryId);
            assertThat(store.growing(warehouseId)).isNotNull();
            client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\",\"request_id\":\"stop\"}");
            Map<String, JsonNode> replies = client.repliesById(2, null);
            assertThat(replies.get("stop").path("type").asText()).isEqualTo("cancelled");
            JsonNode ended = replies.get("run");
            assertThat(ended.path("type").asText()).isEqualTo("error");
            assertThat(ended.path("code").asText()).isEqualTo("QUERY_CANCELLED");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> store.growing(warehouseId) == null && storeTables(warehouseId) == 0);
            assertThat(store.find(warehouseId)).isNull();
        }
    }

    @Test
    void a_failure_after_the_first_page_reaches_every_client_that_got_it() throws Exception {
        // the first chunk comes with the answer; every other chunk's URL has expired, on both reads of the result
        snowflake.chunkUrlLifetime(Duration.ZERO);
        String question = ",\"filters\":{\"column\":\"TRIPDURATION\",\"op\":\"gte\",\"value\":-1}" + ORDERED;
        try (WsClient one = connect(); WsClient two = connect()) {
            one.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true,"
                     + "\"request_id\":\"run\"" + question + "}");
            one.next("submitted");
            one.next("running");
            JsonNode first = one.await("results");
            assertThat(first.path("complete").asBoolean(true)).isFalse();
            two.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"request_id\":\"join\""
                     + question + "}");
            two.next("submitted");
            two.next("running");
            JsonNode joined = two.await("results");
            assertThat(joined.path("results")).isEqualTo(first.path("results"));
            for (WsClient client : List.of(one, two)) {
                JsonNode error = WsClient.parse(client.nextText(Duration.ofMinutes(2)));
                while ("progress".equals(error.path("type").asText())) {
                    error = WsClient.parse(client.nextText(Duration.ofMinutes(2)));
                }
                assertThat(error.path("type").asText()).as("%s", error).isEqualTo("error");
                assertThat(error.path("code").asText()).isEqualTo("QUERY_FAILED");
                assertThat(error.path("message").asText()).contains("could not be read from Snowflake");
            }
            // nothing half-stored is reused: the same question runs again
            snowflake.chunkUrlLifetime(Duration.ofHours(6));
            JsonNode again = one.runView("trip_weather_vw", ",\"request_id\":\"again\"" + question);
            JsonNode whole = again.path("complete").isMissingNode() ? again : one.await("complete");
            assertThat(whole.path("total_rows").asLong()).isEqualTo(queryLong(
                    "SELECT count(*) FROM trip_weather_vw WHERE TRIPDURATION >= -1"));
        }
    }

    private static String fetch(String queryId, long offset, String requestId) {
        return "{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":" + offset
               + ",\"request_id\":\"" + requestId + "\"}";
    }

    private static List<String> rows(JsonNode results) {
        List<String> rows = new ArrayList<>();
        results.path("results").forEach(row -> rows.add(row.path("BIKEID").asInt() + "|"
                                                        + row.path("TRIPDURATION").asInt()));
        return rows;
    }

    /** The engine's own answer to the ordered question, as BIKEID|TRIPDURATION. */
    private List<String> engineRows() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT BIKEID, TRIPDURATION FROM trip_weather_vw "
                                                   + "ORDER BY STARTTIME, BIKEID")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getInt(2));
            }
        }
        return rows;
    }

    /** The store's tables for a warehouse query id (0 once dropped). */
    private int storeTables(String warehouseId) {
        return bean("resultStore", ResultStore.class).tableCount(warehouseId);
    }
}
