package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood from one principal: 20,000 run_views of a view whose result is reused, a few in flight at a time on one
 * connection. Every request is answered (its results, or an error reply naming a limit), the query ids the principal
 * holds stay within results.max-ids-per-client and the few in flight (its oldest forgotten first; being signed, one
 * stays valid while its result is stored, and is taken up again if used), the reused result is stored once, and
 * another principal is served as before while the flood goes on.
 */
class ReusedRunViewFloodTest extends ApiTestSupport {

    private static final String ALICE_KEY = "alice-key-0123456789abcdefghij";
    private static final String BOB_KEY = "bob-key-0123456789abcdefghijklm";
    private static final int REQUESTS = 20_000;
    private static final int IN_FLIGHT = 8;
    private static final int MAX_IDS = 1000;

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.auth.mode", "token");
        properties.setProperty("api.auth.tokens", "alice:" + ALICE_KEY + ",bob:" + BOB_KEY);
        properties.setProperty("results.max-ids-per-client", Integer.toString(MAX_IDS));
        properties.setProperty("results.reuse-window", "PT1H");
    }

    private WsClient signedIn(String key) {
        WsClient ws = connect();
        JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + key + "\"}");
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("authenticated");
        return ws;
    }

    @Test
    void a_principal_flooding_reused_run_views_holds_bounded_state_and_another_is_served() throws Exception {
        try (WsClient alice = signedIn(ALICE_KEY); WsClient bob = signedIn(BOB_KEY)) {
            int sent = 0;
            int answered = 0;
            String newest = null;
            Map<String, Integer> refusals = new TreeMap<>();
            JsonNode bobsPage = null;
            while (answered < REQUESTS) {
                while (sent < REQUESTS && sent - answered < IN_FLIGHT) {
                    alice.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"page_size\":1,"
                               + "\"request_id\":\"f" + sent + "\"}");
                    sent++;
                }
                JsonNode message = alice.next();
                String type = message.path("type").asText();
                if ("results".equals(type)) {
                    answered++;
                    newest = message.path("query_id").asText();
                } else if ("error".equals(type)) {
                    answered++;
                    refusals.merge(message.path("code").asText(), 1, Integer::sum);
                }
                if (bobsPage == null && sent == REQUESTS / 2) {
                    // in the middle of the flood, another principal runs a query of its own and pages it
                    JsonNode results = bob.runView("trip_weather_vw", ",\"page_size\":5");
                    assertThat(results.path("results")).hasSize(5);
                    bobsPage = bob.request("{\"action\":\"fetch_results\",\"query_id\":\""
                                           + results.path("query_id").asText() + "\",\"offset\":5,\"page_size\":5}");
                }
            }
            assertThat(bobsPage).isNotNull();
            assertThat(bobsPage.path("type").asText()).as("%s", bobsPage).isEqualTo("results");
            assertThat(bobsPage.path("results")).hasSize(5);
            assertThat(refusals.keySet()).as("error replies by code: %s", refusals)
                    .isSubsetOf("TOO_MANY_REQUESTS");
            assertThat(REQUESTS - refusals.getOrDefault("TOO_MANY_REQUESTS", 0))
                    .as("run_views answered with results").isGreaterThan(REQUESTS / 2);

            String metrics = metrics();
            // alice's newest ids, bob's one and nothing else: the flood's older ids are forgotten as it goes. The bound
            // counts finished ids as each new one is issued, so the last few, issued while up to IN_FLIGHT others were
            // still being answered, may each have left one more behind
            assertThat(OperationsTest.value(metrics, "warehouse_api_query_ids"))
                    .isLessThanOrEqualTo(MAX_IDS + IN_FLIGHT + 1);
            // one stored result reused by every run_view of alice's, and bob's own
            assertThat(OperationsTest.value(metrics, "warehouse_api_store_results")).isLessThanOrEqualTo(2);
            assertThat(alice.request("{\"action\":\"fetch_results\",\"query_id\":\"" + newest + "\"}")
                               .path("type").asText()).isEqualTo("results");
        }
    }

    private String metrics() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/observe/metrics"))
                        .header("Authorization", "Bearer " + BOB_KEY).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
