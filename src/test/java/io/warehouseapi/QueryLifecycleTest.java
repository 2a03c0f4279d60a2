package io.warehouseapi;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.api.RequestParser;
import io.warehouseapi.model.Owner;
import io.warehouseapi.model.QueryState;
import io.warehouseapi.query.QueryService;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.transport.Connections;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Failing, cancelled and abandoned queries: the replies a client sees and what the engine does. */
class QueryLifecycleTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        // no reuse: a result is dropped as soon as its last query id goes
        properties.setProperty("results.reuse-window", "0");
    }

    @Test
    void a_view_that_fails_at_run_time_gives_query_failed_with_the_engines_message() {
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"failing_vw\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode error = client.await("error");
            assertThat(error.path("code").asText()).isEqualTo("QUERY_FAILED");
            assertThat(error.path("message").asText()).contains("Sensor data for hour 500 is corrupt")
                    .doesNotContain("CREATE TABLE").doesNotContain("results.");
            assertThat(error.path("query_id").asText()).isEqualTo(queryId);

            assertThat(client.request(status(queryId)).path("status").asText()).isEqualTo("FAILED");
            JsonNode fetch = client.request(fetch(queryId));
            assertThat(fetch.path("code").asText()).isEqualTo("QUERY_FAILED");
        }
    }

    @Test
    void cancel_stops_a_long_query_in_the_engine_and_ends_its_run_view_with_query_cancelled() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"request_id\":\"slow\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 1);

            JsonNode notFinished = client.request(fetch(queryId));
            assertThat(notFinished.path("code").asText()).isEqualTo("QUERY_NOT_FINISHED");
            assertThat(client.request(status(queryId)).path("status").asText()).isEqualTo("RUNNING");

            client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\",\"request_id\":\"stop\"}");
            // the two replies may come in either order
            java.util.Map<String, JsonNode> byType = new java.util.HashMap<>();
            for (int i = 0; i < 2; i++) {
                JsonNode reply = client.next();
                byType.put(reply.path("type").asText(), reply);
            }
            assertThat(byType).containsOnlyKeys("cancelled", "error");
            assertThat(byType.get("cancelled").path("query_id").asText()).isEqualTo(queryId);
            assertThat(byType.get("cancelled").path("request_id").asText()).isEqualTo("stop");
            assertThat(byType.get("error").path("code").asText()).isEqualTo("QUERY_CANCELLED");
            assertThat(byType.get("error").path("query_id").asText()).isEqualTo(queryId);
            assertThat(byType.get("error").path("request_id").asText()).isEqualTo("slow");

            // the engine stops working on it, well before the query could have finished
            await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
            assertThat(client.request(status(queryId)).path("status").asText()).isEqualTo("CANCELLED");
            JsonNode again = client.request("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            assertThat(again.path("type").asText()).isEqualTo("status");
            assertThat(again.path("status").asText()).isEqualTo("CANCELLED");
        }
    }

    @Test
    void cancel_of_a_finished_query_changes_nothing_and_reports_its_final_state() {
        try (WsClient client = connect()) {
            String queryId = client.runView("trip_weather_vw", ",\"page_size\":1").path("query_id").asText();
            JsonNode reply = client.request("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            assertThat(reply.path("type").asText()).isEqualTo("status");
            assertThat(reply.path("status").asText()).isEqualTo("SUCCESS");
            assertThat(client.request(fetch(queryId)).path("row_count").asInt()).isEqualTo(100);
        }
    }

    @Test
    void a_client_that_disconnects_mid_query_has_its_query_cancelled_and_gets_no_reply() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        QueryService queries = bean("queries", QueryService.class);
        Connections connections = bean("connections", Connections.class);
        ResultStore store = bean("resultStore", ResultStore.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> connections.openCount() == 0);
        long sentBefore = connections.sentCount();

        WsClient client = connect();
        client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
        client.next("submitted");
        client.next("running");
        await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 1);
        client.abort();

        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.inFlight() == 0);
        // no reply was written after the two it had, and no connection was opened to deliver one
        assertThat(connections.sentCount() - sentBefore).isEqualTo(2);
        assertThat(connections.openCount()).isZero();
        assertThat(store.size()).isZero();
    }

    @Test
    void a_run_view_whose_connection_closed_before_its_submit_is_given_up_at_once() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        QueryService queries = bean("queries", QueryService.class);
        ResultStore store = bean("resultStore", ResultStore.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.inFlight() == 0);
        // the order the run-view route's queue allows: the connection's close handled first, the submit after it
        String gone = "a-connection-that-closed";
        queries.release(gone);
        String queryId = queries.submit(Owner.ofConnection(gone), gone,
                new RequestParser(1000, 65536).parse("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}"),
                "PT0S", "");

        assertThat(queries.poll(queryId).state()).isEqualTo(QueryState.CANCELLED);
        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
        assertThat(queries.inFlight()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.size() == 0);
    }

    @Test
    void a_cancel_at_any_moment_after_the_submit_stops_the_query_in_the_engine() throws InterruptedException {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
        try (WsClient client = connect()) {
            // at once, and at moments around the engine taking the statement up: a cancel must never be lost
            for (int i = 0; i < 30; i++) {
                client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"fresh\":true,"
                            + "\"request_id\":\"run-" + i + "\"}");
                client.next("submitted");
                String queryId = client.next("running").path("query_id").asText();
                Thread.sleep(i % 6);
                client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
                java.util.Set<String> types = new java.util.HashSet<>();
                types.add(client.next().path("type").asText());
                types.add(client.next().path("type").asText());
                assertThat(types).containsExactlyInAnyOrder("cancelled", "error");
                await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
            }
        }
    }

    @Test
    void a_query_given_up_as_soon_as_it_is_submitted_never_runs_on() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        QueryService queries = bean("queries", QueryService.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
        RequestParser parser = new RequestParser(1000, 65536);
        // each is cancelled in the warehouse right after its submit, at whatever point the engine has reached
        for (int i = 0; i < 300; i++) {
            String gone = "a-closed-connection-" + i;
            queries.submit(Owner.ofConnection(gone), gone, parser.parse(
                    "{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"fresh\":true}"), "PT0S", "");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 0
                                                            && queries.inFlight() == 0);
    }

    @Test
    void clients_that_close_right_after_a_run_view_leave_no_query_behind() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        QueryService queries = bean("queries", QueryService.class);
        Connections connections = bean("connections", Connections.class);
        for (int i = 0; i < 20; i++) {
            WsClient client = connect();
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"fresh\":true}");
            client.abort();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> connections.openCount() == 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 0
                                                            && queries.inFlight() == 0);
    }

    @Test
    void a_client_that_disconnects_has_its_finished_results_dropped() {
        ResultStore store = bean("resultStore", ResultStore.class);
        WsClient client = connect();
        client.runView("trip_weather_vw", ",\"page_size\":1");
        assertThat(store.size()).isEqualTo(1);
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.size() == 0);
    }

    private static String fetch(String queryId) {
        return "{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\"}";
    }

    private static String status(String queryId) {
        return "{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}";
    }
}
