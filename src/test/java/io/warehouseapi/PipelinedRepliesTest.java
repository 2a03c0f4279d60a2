package io.warehouseapi;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many requests in flight on one connection: dozens of fetch_results with page sizes up to the maximum (replies of up
 * to about 800 KB, a dozen WebSocket frames each) mixed with list_views and query_status, sent at once and repeated.
 * Every reply arrives whole, once, matched to its request_id; a reply whose frames were interleaved with another's
 * would end the connection (the client's WebSocket decoder refuses a text frame inside a fragmented message).
 */
class PipelinedRepliesTest extends ApiTestSupport {

    private static final int ROUNDS = 12;
    private static final int[] PAGE_SIZES = {1000, 100, 1, 700, 1000, 250, 999, 50};
    private static final int FETCHES_PER_ROUND = 32;

    @Override
    protected void overrideProperties(Properties properties) {
        // a round asks for about 15 MB of replies at once; the slow-reader limit (tested in ConnectionGuardsTest)
        // would otherwise treat a client that pipelines that much as a reader too slow to keep up
        properties.setProperty("api.max-outbound-bytes", Integer.toString(64 * 1024 * 1024));
    }

    @Test
    void dozens_of_large_replies_in_flight_on_one_connection_each_arrive_whole() {
        try (WsClient ws = connect()) {
            JsonNode first = ws.runView("trip_weather_vw", ",\"request_id\":\"run\"");
            String queryId = first.path("query_id").asText();
            long total = first.path("total_rows").asLong();
            assertThat(total).isEqualTo(tripCount());
            int columns = first.path("columns").size();

            for (int round = 0; round < ROUNDS; round++) {
                Map<String, String> expected = new HashMap<>();
                for (int i = 0; i < FETCHES_PER_ROUND; i++) {
                    int pageSize = PAGE_SIZES[(i + round) % PAGE_SIZES.length];
                    long offset = ((long) (i * 613 + round * 977) % total);
                    String id = "r" + round + "-f" + i;
                    expected.put(id, "results:" + offset + ":" + pageSize);
                    ws.send("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":" + offset
                            + ",\"page_size\":" + pageSize + ",\"request_id\":\"" + id + "\"}");
                    if (i % 8 == 3) {
                        String views = "r" + round + "-v" + i;
                        expected.put(views, "views");
                        ws.send("{\"action\":\"list_views\",\"request_id\":\"" + views + "\"}");
                    }
                    if (i % 8 == 6) {
                        String status = "r" + round + "-s" + i;
                        expected.put(status, "status");
                        ws.send("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\",\"request_id\":\""
                                + status + "\"}");
                    }
                }
                for (int n = expected.size(); n > 0; n--) {
                    JsonNode reply = ws.next();
                    String requestId = reply.path("request_id").asText();
                    String what = expected.remove(requestId);
                    assertThat(what).as("a reply to an outstanding request: %s", WsClient.abbreviate(reply))
                            .isNotNull();
                    assertWhole(reply, what, queryId, total, columns);
                }
                assertThat(expected).as("requests of round %d never answered", round).isEmpty();
            }
            assertThat(ws.isClosedByServer()).isFalse();
            assertThat(ws.drain(Duration.ofMillis(100))).as("replies nobody asked for").isEmpty();
        }
    }

    private static void assertWhole(JsonNode reply, String what, String queryId, long total, int columns) {
        String[] parts = what.split(":");
        assertThat(reply.path("type").asText()).as("type of %s", WsClient.abbreviate(reply)).isEqualTo(parts[0]);
        switch (parts[0]) {
            case "results" -> {
                long offset = Long.parseLong(parts[1]);
                int pageSize = Integer.parseInt(parts[2]);
                long rows = Math.min(pageSize, total - offset);
                assertThat(reply.path("query_id").asText()).isEqualTo(queryId);
                assertThat(reply.path("offset").asLong()).isEqualTo(offset);
                assertThat(reply.path("page_size").asInt()).isEqualTo(pageSize);
                assertThat(reply.path("row_count").asLong()).isEqualTo(rows);
                assertThat(reply.path("results").size()).isEqualTo((int) rows);
                assertThat(reply.path("results").get(0).size()).isEqualTo(columns);
            }
            case "views" -> assertThat(reply.path("views").size()).isPositive();
            case "status" -> assertThat(reply.path("status").asText()).isEqualTo("SUCCESS");
            default -> throw new AssertionError(what);
        }
    }
}
