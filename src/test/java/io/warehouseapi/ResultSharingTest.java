package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.query.QueryService;
import io.warehouseapi.store.ResultStore;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shared results: identical run_views in flight run one warehouse query (counted in the engine's own query log, or by
 * the fake Snowflake), a finished result is reused within its view's window and not beyond it, fresh runs again, a
 * redefined view runs again, one sharer's cancel or departure leaves the other's result alone, and a shared result is
 * dropped only after its last user.
 */
class ResultSharingTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.reuse-window", "PT10M");
        properties.setProperty("results.reuse-window.views", "TYPES_VW=PT2S FAILING_VW=PT10M");
    }

    @Override
    protected void beforeStart() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE OR REPLACE VIEW redefined_vw AS SELECT 1 AS version");
            statement.execute("CREATE OR REPLACE VIEW shared_sleepy_vw AS "
                              + "SELECT count(*) AS n FROM range(300000000) r(i) WHERE hash(i) % 7 = 0");
        }
    }

    /** How many statements the warehouse was sent that read the view: DuckDB's query log, or the fake's. */
    private long statementsOn(String view) throws SQLException {
        if (onSnowflake()) {
            return snowflake.asyncStatements.stream().filter(sql -> sql.contains("\"" + view.toUpperCase() + "\""))
                    .count();
        }
        // each materialization names a table of its own; a prepared statement is logged when prepared and when run
        return engineQueryLog().stream().filter(sql -> sql.contains("CREATE TABLE")
                                                 && sql.contains("\"" + view.toLowerCase() + "\"")).distinct().count();
    }

    /** Sends run_view and returns its query id from the running reply, without waiting for the results. */
    private static String start(WsClient client, String view, String extra) {
        client.send(runView(view, extra));
        client.next("submitted");
        return client.next("running").path("query_id").asText();
    }

    private static String runView(String view, String extra) {
        return "{\"action\":\"run_view\",\"view_name\":\"" + view + "\"" + extra + "}";
    }

    @Test
    void identical_requests_in_flight_run_one_warehouse_query_and_each_client_gets_its_own_id() throws Exception {
        long before = statementsOn("shared_sleepy_vw");
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                clients.add(connect());
            }
            for (WsClient client : clients) {
                client.send(runView("shared_sleepy_vw", ",\"fresh\":true"));
            }
            List<String> ids = new ArrayList<>();
            Set<String> computed = new HashSet<>();
            for (WsClient client : clients) {
                client.next("submitted");
                String id = client.next("running").path("query_id").asText();
                JsonNode results = client.await("results");
                assertThat(results.path("query_id").asText()).isEqualTo(id);
                assertThat(results.path("total_rows").asLong()).isEqualTo(1);
                ids.add(id);
                computed.add(results.path("computed_at").asText());
            }
            assertThat(new HashSet<>(ids)).as("every client has its own query id").hasSize(5);
            assertThat(computed).as("one result").hasSize(1);
            assertThat(statementsOn("shared_sleepy_vw") - before).as("one warehouse query").isEqualTo(1);

            // nobody reads a shared result through another client's id
            JsonNode foreign = clients.get(0).request("{\"action\":\"fetch_results\",\"query_id\":\""
                                                      + ids.get(1) + "\"}");
            assertThat(foreign.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            assertThat(clients.get(1).request("{\"action\":\"fetch_results\",\"query_id\":\"" + ids.get(1) + "\"}")
                    .path("row_count").asInt()).isEqualTo(1);
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void a_finished_result_is_reused_within_the_window_with_its_computed_at_and_fresh_runs_again() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("weather_vw", ",\"fresh\":true");
            long statements = statementsOn("weather_vw");
            Instant computedAt = Instant.parse(first.path("computed_at").asText());
            assertThat(computedAt).isBefore(Instant.now().plusMillis(1));

            JsonNode reused = client.runView("weather_vw", "");
            assertThat(reused.path("query_id").asText()).isNotEqualTo(first.path("query_id").asText());
            assertThat(reused.path("computed_at").asText()).isEqualTo(first.path("computed_at").asText());
            assertThat(reused.path("results")).isEqualTo(first.path("results"));
            assertThat(statementsOn("weather_vw")).as("answered without the warehouse").isEqualTo(statements);

            JsonNode fresh = client.runView("weather_vw", ",\"fresh\":true");
            assertThat(Instant.parse(fresh.path("computed_at").asText())).isAfter(computedAt);
            assertThat(statementsOn("weather_vw")).isEqualTo(statements + 1);

            // both results stay readable by their own ids
            assertThat(client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + first.path("query_id").asText()
                                      + "\",\"offset\":8700}").path("row_count").asInt()).isEqualTo(60);
            assertThat(client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + reused.path("query_id").asText()
                                      + "\",\"offset\":8700}").path("row_count").asInt()).isEqualTo(60);
        }
    }

    @Test
    void a_result_is_not_reused_beyond_its_views_window() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("types_vw", ",\"fresh\":true");
            Instant computedAt = Instant.parse(first.path("computed_at").asText());
            long statements = statementsOn("types_vw");
            assertThat(client.runView("types_vw", "").path("computed_at").asText())
                    .isEqualTo(first.path("computed_at").asText());
            JsonNode later = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client.runView("types_vw", ""),
                            results -> !results.path("computed_at").asText().equals(first.path("computed_at").asText()));
            assertThat(Duration.between(computedAt, Instant.parse(later.path("computed_at").asText())))
                    .as("the window of TYPES_VW is 2 s").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(statementsOn("types_vw")).isEqualTo(statements + 1);
        }
    }

    @Test
    void a_redefined_view_is_run_again() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("redefined_vw", "");
            assertThat(first.path("results").get(0).path("version").asInt()).isEqualTo(1);
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE OR REPLACE VIEW redefined_vw AS SELECT 2 AS version");
            }
            // the catalog says so at its next read (warehouse.views.refresh-interval), here at once
            bean("warehouse", Warehouse.class).refreshViews();
            JsonNode second = client.runView("redefined_vw", "");
            assertThat(second.path("results").get(0).path("version").asInt()).isEqualTo(2);
        }
    }

    @Test
    void a_failed_result_is_not_reused() throws Exception {
        try (WsClient client = connect()) {
            long before = statementsOn("failing_vw");
            for (int i = 0; i < 2; i++) {
                client.send(runView("failing_vw", ""));
                client.next("submitted");
                client.next("running");
                assertThat(client.await("error").path("code").asText()).isEqualTo("QUERY_FAILED");
            }
            assertThat(statementsOn("failing_vw") - before).isEqualTo(2);
        }
    }

    @Test
    void one_sharer_cancelling_leaves_the_other_its_result() throws Exception {
        long before = statementsOn("shared_sleepy_vw");
        try (WsClient a = connect(); WsClient b = connect()) {
            String aId = start(a, "shared_sleepy_vw", ",\"fresh\":true");
            String bId = start(b, "shared_sleepy_vw", ",\"fresh\":true");

            a.send("{\"action\":\"cancel\",\"query_id\":\"" + aId + "\"}");
            List<String> types = List.of(a.next().path("type").asText(), a.next().path("type").asText());
            assertThat(types).containsExactlyInAnyOrder("cancelled", "error");

            JsonNode results = b.await("results");
            assertThat(results.path("query_id").asText()).isEqualTo(bId);
            assertThat(results.path("total_rows").asLong()).isEqualTo(1);
            assertThat(statementsOn("shared_sleepy_vw") - before).isEqualTo(1);
            assertThat(a.request("{\"action\":\"query_status\",\"query_id\":\"" + aId + "\"}").path("status").asText())
                    .isEqualTo("CANCELLED");
            assertThat(a.request("{\"action\":\"fetch_results\",\"query_id\":\"" + bId + "\"}").path("code").asText())
                    .isEqualTo("QUERY_NOT_FOUND");
        }
    }

    @Test
    void the_warehouse_query_is_cancelled_when_its_last_sharer_cancels() throws Exception {
        QueryService queries = bean("queries", QueryService.class);
        try (WsClient a = connect(); WsClient b = connect()) {
            String aId = start(a, "slow_vw", "");
            String bId = start(b, "slow_vw", "");
            await().atMost(Duration.ofSeconds(20)).until(() -> queries.inFlight() == 1);

            a.send("{\"action\":\"cancel\",\"query_id\":\"" + aId + "\"}");
            assertThat(List.of(a.next().path("type").asText(), a.next().path("type").asText()))
                    .containsExactlyInAnyOrder("cancelled", "error");
            assertThat(b.request("{\"action\":\"query_status\",\"query_id\":\"" + bId + "\"}").path("status").asText())
                    .as("the other sharer still waits").isIn("QUEUED", "RUNNING");
            assertThat(queries.inFlight()).isEqualTo(1);

            b.send("{\"action\":\"cancel\",\"query_id\":\"" + bId + "\"}");
            assertThat(List.of(b.next().path("type").asText(), b.next().path("type").asText()))
                    .containsExactlyInAnyOrder("cancelled", "error");
            await().atMost(Duration.ofSeconds(10)).until(() -> queries.inFlight() == 0);
            if (onSnowflake()) {
                assertThat(snowflake.cancelled).isNotEmpty();
            } else {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> bean("warehouse", Warehouse.class).runningStatements() == 0);
            }
        }
    }

    @Test
    void a_shared_result_is_dropped_only_after_its_last_user_and_its_window() {
        ResultStore store = bean("resultStore", ResultStore.class);
        QueryService queries = bean("queries", QueryService.class);
        WsClient a = connect();
        WsClient b = connect();
        try {
            // TYPES_VW's window is 2 s: b reuses a's result
            JsonNode first = a.runView("types_vw", ",\"fresh\":true");
            String result = queries.warehouseIdOf(first.path("query_id").asText());
            JsonNode second = b.runView("types_vw", "");
            assertThat(second.path("computed_at").asText()).isEqualTo(first.path("computed_at").asText());
            assertThat(queries.warehouseIdOf(second.path("query_id").asText())).isEqualTo(result);
            assertThat(store.find(result)).isNotNull();

            a.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> queries.warehouseIdOf(first.path("query_id").asText())
                                                                == null);
            queries.evictExpired();
            assertThat(b.request("{\"action\":\"fetch_results\",\"query_id\":\"" + second.path("query_id").asText()
                                 + "\"}").path("row_count").asInt()).as("b still reads it").isEqualTo(1);
            assertThat(store.find(result)).isNotNull();

            b.close();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                queries.evictExpired();
                return store.find(result) == null;
            });
        } finally {
            a.close();
            b.close();
        }
    }
}
