package io.warehouseapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** 50 connections at once, each running a view and fetching three pages: every reply reaches its own connection. */
class ConcurrentConnectionsTest extends ApiTestSupport {

    private static final int CONNECTIONS = 50;

    @Test
    void fifty_connections_each_get_their_own_replies_and_no_other() throws Exception {
        List<WsClient> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients.add(connect());
        }
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<List<JsonNode>>> sessions = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                WsClient client = clients.get(i);
                String prefix = "c" + i + "-";
                sessions.add(pool.submit((Callable<List<JsonNode>>) () -> session(client, prefix)));
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                List<JsonNode> replies = sessions.get(i).get(120, TimeUnit.SECONDS);
                String prefix = "c" + i + "-";
                String queryId = replies.get(1).path("query_id").asText();
                assertThat(replies).extracting(reply -> reply.path("type").asText())
                        .containsExactly("submitted", "running", "results", "results", "results", "results");
                for (JsonNode reply : replies) {
                    assertThat(reply.path("request_id").asText()).startsWith(prefix);
                    if (reply.has("query_id")) {
                        assertThat(reply.path("query_id").asText()).isEqualTo(queryId);
                    }
                }
                assertThat(replies.subList(2, 6)).extracting(reply -> reply.path("offset").asLong())
                        .containsExactly(0L, 10L, 20L, 30L);
            }
            // nothing else arrives anywhere: no reply went to a connection that did not ask
            for (WsClient client : clients) {
                assertThat(client.drain(Duration.ofMillis(50))).isEmpty();
            }
        } finally {
            pool.shutdownNow();
            clients.forEach(WsClient::close);
        }
    }

    private static List<JsonNode> session(WsClient client, String prefix) {
        List<JsonNode> replies = new ArrayList<>();
        client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":10,\"request_id\":\""
                    + prefix + "run\"}");
        replies.add(client.next("submitted"));
        replies.add(client.next("running"));
        replies.add(client.await("results"));
        String queryId = replies.get(1).path("query_id").asText();
        for (int page = 1; page <= 3; page++) {
            replies.add(client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":\""
                                       + page * 10 + "\",\"page_size\":10,\"request_id\":\"" + prefix + page + "\"}"));
        }
        return replies;
    }
}
