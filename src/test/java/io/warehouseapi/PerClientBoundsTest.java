package io.warehouseapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What one client may hold is bounded: at most results.max-ids-per-client finished query ids (a client that loops
 * run_view forgets its oldest ids first, and with them their hold on their results, instead of keeping every one for
 * results.retention), and at most api.export.max-links-per-client unexpired export links.
 */
class PerClientBoundsTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.max-ids-per-client", "3");
        // no reuse: every run_view below stores a result of its own
        properties.setProperty("results.reuse-window", "0");
        properties.setProperty("results.eviction-interval", "200");
        properties.setProperty("api.export.max-links-per-client", "2");
        properties.setProperty("api.export.link-ttl", "PT2S");
    }

    @Test
    void a_client_looping_run_view_keeps_only_its_newest_ids_and_their_results() {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(client.runView("weather_vw", ",\"page_size\":1").path("query_id").asText());
            }
            for (int i = 0; i < ids.size(); i++) {
                JsonNode reply = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + ids.get(i)
                                                + "\",\"page_size\":1}");
                if (i < 5) {
                    assertThat(reply.path("code").asText()).as("id %d of 8", i + 1).isEqualTo("QUERY_NOT_FOUND");
                } else {
                    assertThat(reply.path("type").asText()).as("id %d of 8", i + 1).isEqualTo("results");
                }
            }
            // the forgotten ids' results are dropped: only the three newest stay stored
            await().atMost(Duration.ofSeconds(10)).until(() -> store.size() == 3);
        }
    }

    @Test
    void a_client_holds_at_most_its_export_links_until_they_expire() {
        try (WsClient client = connect()) {
            String queryId = client.runView("weather_vw", ",\"page_size\":1").path("query_id").asText();
            String export = "{\"action\":\"export\",\"query_id\":\"" + queryId
                            + "\",\"format\":\"csv\",\"request_id\":\"e\"}";
            assertThat(client.request(export).path("type").asText()).isEqualTo("export");
            assertThat(client.request(export).path("type").asText()).isEqualTo("export");
            JsonNode third = client.request(export);
            assertThat(third.path("code").asText()).as("%s", third).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(third.path("message").asText()).contains("api.export.max-links-per-client");
            assertThat(third.path("request_id").asText()).isEqualTo("e");
            // once the first two have expired, the client may have links again
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> client.request(export).path("type").asText().equals("export"));
        }
    }
}
