package io.warehouseapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Requests per connection beyond the allowance get TOO_MANY_REQUESTS; browser pages of other sites are refused. */
class LimitsTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.rate.burst", "20");
        properties.setProperty("api.rate.per-second", "5");
        properties.setProperty("warehouse.max-queries-per-connection", "2");
    }

    @Test
    void a_burst_over_the_allowance_is_answered_too_many_requests_and_the_connection_recovers() {
        try (WsClient client = connect(); WsClient other = connect()) {
            for (int i = 0; i < 60; i++) {
                client.send("{\"action\":\"list_views\",\"request_id\":\"b" + i + "\"}");
            }
            List<JsonNode> replies = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                replies.add(client.next());
            }
            long served = replies.stream().filter(r -> r.path("type").asText().equals("views")).count();
            long refused = replies.stream().filter(r -> r.path("code").asText().equals("TOO_MANY_REQUESTS")).count();
            assertThat(served + refused).as("every request answered").isEqualTo(60);
            assertThat(served).isBetween(20L, 40L);
            assertThat(refused).isGreaterThanOrEqualTo(20);
            assertThat(replies).allSatisfy(reply -> assertThat(reply.path("request_id").asText()).startsWith("b"));
            // another connection has its own allowance
            assertThat(other.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
            // and the allowance refills
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                    assertThat(client.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views"));
        }
    }

    @Test
    void a_connection_may_have_only_so_many_queries_running() {
        try (WsClient client = connect()) {
            String[] ids = new String[2];
            for (int i = 0; i < 2; i++) {
                client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
                client.next("submitted");
                ids[i] = client.next("running").path("query_id").asText();
            }
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"request_id\":\"third\"}");
            client.next("submitted");
            JsonNode refused = client.next("error");
            assertThat(refused.path("code").asText()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(refused.path("request_id").asText()).isEqualTo("third");
            // once one is cancelled, another may start
            client.send("{\"action\":\"cancel\",\"query_id\":\"" + ids[0] + "\"}");
            List<JsonNode> ended = List.of(client.next(), client.next());
            assertThat(ended).extracting(r -> r.path("type").asText()).containsExactlyInAnyOrder("cancelled", "error");
            client.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"page_size\":1}");
            client.next("submitted");
            client.next("running");
            assertThat(client.await("results").path("row_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void pages_of_other_sites_are_refused_with_1008_and_the_rest_are_served() {
        try (WsClient evil = WsClient.connect(port(), "https://evil.example")) {
            assertThat(evil.awaitClose()).isEqualTo(1008);
        }
        for (String origin : new String[] {null, "null", "http://127.0.0.1:" + port()}) {
            try (WsClient client = WsClient.connect(port(), origin)) {
                assertThat(client.request("{\"action\":\"list_views\"}").path("type").asText()).as(origin).isEqualTo("views");
            }
        }
    }

    @Test
    void a_host_name_the_server_does_not_answer_to_is_refused_with_1008() throws Exception {
        // a web site whose name an attacker points at 127.0.0.1 (DNS rebinding) connects with its own name as Host
        try (RawWebSocket rebound = new RawWebSocket(port(), "evil.example:" + port())) {
            rebound.sendText("{\"action\":\"list_views\"}");
            assertThat(rebound.nextText()).as("no reply, a close").isNull();
            assertThat(rebound.closeCode()).isEqualTo(1008);
        }
        try (RawWebSocket local = new RawWebSocket(port(), "localhost:" + port())) {
            local.sendText("{\"action\":\"list_views\"}");
            assertThat(local.nextText()).contains("\"type\":\"views\"");
        }
    }
}
