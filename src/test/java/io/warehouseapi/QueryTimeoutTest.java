package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A query that runs past warehouse.query.timeout is cancelled in the engine and answered with QUERY_TIMEOUT. */
class QueryTimeoutTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.query.timeout", "PT1S");
    }

    @Test
    void a_query_past_the_statement_timeout_is_cancelled_with_query_timeout() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            JsonNode error = client.await("error");
            assertThat(error.path("code").asText()).isEqualTo("QUERY_TIMEOUT");
            assertThat(error.path("query_id").asText()).isEqualTo(queryId);
            assertThat(error.path("message").asText()).contains("1 s");
            await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
            JsonNode status = client.request("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}");
            assertThat(status.path("status").asText()).isEqualTo("CANCELLED");
        }
    }
}
