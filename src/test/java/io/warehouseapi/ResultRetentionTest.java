package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A finished result is dropped once it is older than results.retention, and its id is then unknown. */
class ResultRetentionTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.retention", "PT1S");
        properties.setProperty("results.eviction-interval", "200");
        // the result itself stays for reuse until its window has passed too
        properties.setProperty("results.reuse-window", "PT2S");
    }

    @Test
    void a_result_past_its_retention_is_dropped_from_the_store() {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            String queryId = client.runView("weather_vw", ",\"page_size\":1").path("query_id").asText();
            assertThat(store.size()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.size() == 0);
            JsonNode reply = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\"}");
            assertThat(reply.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
        }
    }
}
