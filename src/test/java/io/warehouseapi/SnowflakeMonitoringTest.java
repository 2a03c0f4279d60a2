package io.warehouseapi;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Snowflake's monitoring says that the API must read right (against the fake Snowflake): a statement Snowflake
 * stopped at its own STATEMENT_TIMEOUT_IN_SECONDS (000630) is QUERY_TIMEOUT, not a failure; and a query monitoring has
 * no record of (NO_DATA) is given up after a short grace, instead of counting as running until the API's own timeout.
 */
class SnowflakeMonitoringTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 2_000;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.snowflake.no-data-grace", "PT1S");
        // a result over 500 rows is paged in Snowflake with RESULT_SCAN
        properties.setProperty("warehouse.snowflake.local-copy.max-rows", "500");
        properties.setProperty("warehouse.snowflake.max-running-queries", "2");
    }

    @AfterEach
    void asSnowflakeIsUsually() {
        snowflake.statementTimeout = null;
        snowflake.resultsExpireAtOnce = false;
        snowflake.holdRunning = false;
        snowflake.blockQueries = false;
        snowflake.resultCache = false;
        snowflake.monitoringLag = Duration.ofMillis(100);
    }

    @Test
    void every_state_snowflake_reports_before_success_is_a_running_query_to_the_client() throws Exception {
        // monitoring lags the submit, the warehouse resumes, then the query waits on a lock
        snowflake.monitoringLag = Duration.ofMillis(400);
        snowflake.warehouseSuspended = true;
        snowflake.blockQueries = true;
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"fresh\":true}");
            client.next("submitted");
            client.next("running");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    snowflake.statusSequence.stream().anyMatch(status -> status.endsWith(":BLOCKED")));
            snowflake.blockQueries = false;
            JsonNode results = client.await("results");
            assertThat(results.path("total_rows").asLong()).isEqualTo(queryLong("SELECT count(*) FROM weather_vw"));
            String id = snowflake.asyncQueryIds.get(snowflake.asyncQueryIds.size() - 1);
            List<String> states = snowflake.statusSequence.stream().filter(status -> status.startsWith(id + ":"))
                    .map(status -> status.substring(id.length() + 1)).distinct().toList();
            assertThat(states).containsSubsequence("NO_DATA", "RESUMING_WAREHOUSE", "BLOCKED", "RUNNING", "SUCCESS");
        }
    }

    @Test
    void requests_snowflake_turns_away_as_overloaded_are_sent_again() {
        try (WsClient client = connect()) {
            for (int status : new int[] {503, 429}) {
                snowflake.throttleStatus = status;
                int before = snowflake.throttledRequests.get();
                snowflake.throttled.set(3);
                JsonNode results = client.runView("weather_vw", ",\"fresh\":true");
                assertThat(results.path("type").asText()).as("%s", results).isEqualTo("results");
                assertThat(snowflake.throttledRequests.get() - before).as("answered %d", status).isEqualTo(3);
            }
        }
    }

    @Test
    void a_result_from_snowflakes_result_cache_succeeds_at_once_and_is_read_as_any_other() {
        snowflake.resultCache = true;
        String question = ",\"fresh\":true,\"filters\":{\"column\":\"TRIPDURATION\",\"op\":\"lt\",\"value\":600}";
        try (WsClient client = connect()) {
            JsonNode first = client.runView("trip_weather_vw", question);
            JsonNode again = client.runView("trip_weather_vw", question);
            assertThat(again.path("type").asText()).as("%s", again).isEqualTo("results");
            assertThat(again.path("total_rows").asLong()).isEqualTo(first.path("total_rows").asLong()).isPositive();
            assertThat(again.path("results")).isEqualTo(first.path("results"));
            String id = snowflake.asyncQueryIds.get(snowflake.asyncQueryIds.size() - 1);
            assertThat(snowflake.statusSequence.stream().filter(status -> status.startsWith(id + ":"))
                    .filter(status -> !status.endsWith(":NO_DATA")).findFirst().orElseThrow())
                    .as("answered from the cache").endsWith(":SUCCESS");
        }
    }

    @Test
    void queries_running_in_snowflake_are_capped_in_total() {
        snowflake.holdRunning = true;
        try (WsClient a = connect(); WsClient b = connect()) {
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                WsClient client = i == 1 ? a : b;
                client.send(question(i));
                client.next("submitted");
                ids.add(client.next("running").path("query_id").asText());
            }
            // a third, on either connection, while two run in Snowflake
            a.send(question(3));
            a.next("submitted");
            JsonNode refused = a.next("error");
            assertThat(refused.path("code").asText()).as("%s", refused).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(refused.path("message").asText()).contains("warehouse.snowflake.max-running-queries");
            int submitted = snowflake.asyncQueryIds.size();

            // one cancelled: its place is free again
            cancel(a, ids.get(0));
            a.send(question(4));
            a.next("submitted");
            String fourth = a.next("running").path("query_id").asText();
            assertThat(snowflake.asyncQueryIds).hasSize(submitted + 1);
            // the places free for the next test at once
            cancel(a, fourth);
            cancel(b, ids.get(1));
        }
    }

    private static void cancel(WsClient client, String queryId) {
        client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
        // the cancel's reply and the run_view's end, in either order
        assertThat(java.util.List.of(client.next().path("type").asText(), client.next().path("type").asText()))
                .containsExactlyInAnyOrder("cancelled", "error");
    }

    private static String question(int minimum) {
        return "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true,\"filters\":"
               + "{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":" + minimum + "}}";
    }

    @Test
    void a_result_snowflake_no_longer_keeps_is_a_clear_failure_never_an_unavailable_warehouse() {
        try (WsClient client = connect()) {
            // paged with RESULT_SCAN: a page asked once the result has expired
            JsonNode first = client.runView("trip_weather_vw", "");
            assertThat(first.path("total_rows").asLong()).isEqualTo(2_000);
            snowflake.expiredResults.addAll(snowflake.asyncQueryIds);
            JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\""
                                           + first.path("query_id").asText() + "\",\"offset\":100}");
            assertThat(page.path("code").asText()).as("%s", page).isEqualTo("QUERY_FAILED");
            assertThat(page.path("message").asText()).contains("expired").contains("run the view again");

            // copied: the result expired before it could be read
            snowflake.resultsExpireAtOnce = true;
            client.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"fresh\":true}");
            client.next("submitted");
            client.next("running");
            JsonNode error = client.await("error");
            assertThat(error.path("code").asText()).isEqualTo("QUERY_FAILED");
            assertThat(error.path("message").asText()).contains("expired").contains("run the view again");
        }
    }

    @Test
    void sessions_whose_master_token_expired_sign_in_again_within_the_same_request() {
        try (WsClient client = connect()) {
            assertThat(client.runView("trip_weather_vw", ",\"columns\":[\"USERTYPE\"],\"fresh\":true")
                    .path("row_count").asInt()).isEqualTo(100);
            int logins = snowflake.logins.get();
            snowflake.expireSessions();
            JsonNode again = client.runView("trip_weather_vw", ",\"columns\":[\"USERTYPE\"],\"fresh\":true");
            assertThat(again.path("type").asText()).as("%s", again).isEqualTo("results");
            assertThat(snowflake.masterTokenExpiries.get()).isPositive();
            assertThat(snowflake.logins.get()).isGreaterThan(logins);
        }
    }

    @Test
    void session_tokens_past_their_validity_are_renewed_without_a_new_sign_in() {
        try (WsClient client = connect()) {
            assertThat(client.runView("weather_vw", ",\"fresh\":true").path("type").asText()).isEqualTo("results");
            int logins = snowflake.logins.get();
            int renewals = snowflake.renewals.get();
            snowflake.expireSessionTokens();
            JsonNode again = client.runView("weather_vw", ",\"fresh\":true");
            assertThat(again.path("type").asText()).as("%s", again).isEqualTo("results");
            assertThat(snowflake.renewals.get()).isGreaterThan(renewals);
            assertThat(snowflake.logins.get()).as("renewed with the master token, not signed in again")
                    .isEqualTo(logins);
        }
    }

    @Test
    void a_statement_snowflake_stopped_at_its_timeout_is_query_timeout_in_its_words() {
        snowflake.statementTimeout = Duration.ofSeconds(1);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode error = client.await("error");
            assertThat(error.path("code").asText()).isEqualTo("QUERY_TIMEOUT");
            assertThat(error.path("query_id").asText()).isEqualTo(queryId);
            assertThat(error.path("message").asText()).contains("statement timeout")
                    .contains("timeout of 1 second(s)");
            JsonNode status = client.request("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}");
            assertThat(status.path("status").asText()).isEqualTo("CANCELLED");
        }
    }

    @Test
    void a_query_monitoring_has_no_record_of_is_given_up_after_the_grace() {
        try (WsClient client = connect()) {
            int before = snowflake.asyncQueryIds.size();
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"request_id\":\"gone\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> snowflake.asyncQueryIds.size() > before);
            snowflake.forget(snowflake.asyncQueryIds.get(before));
            long forgotten = System.nanoTime();
            JsonNode error = client.next();
            while (error.path("type").asText().equals("progress")
                   && System.nanoTime() - forgotten < Duration.ofSeconds(15).toNanos()) {
                error = client.next();
            }
            assertThat(error.path("type").asText()).as("%s", error).isEqualTo("error");
            assertThat(error.path("code").asText()).isEqualTo("QUERY_FAILED");
            assertThat(error.path("query_id").asText()).isEqualTo(queryId);
            assertThat(error.path("message").asText()).contains("no record of this query").contains("run the view");
            assertThat(Duration.ofNanos(System.nanoTime() - forgotten)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
