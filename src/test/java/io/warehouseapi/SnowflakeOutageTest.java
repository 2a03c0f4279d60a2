package io.warehouseapi;

import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snowflake unreachable, for real (the fake's endpoint stopped): down at start, the API starts unready and answers
 * WAREHOUSE_UNAVAILABLE, then connects by itself when the endpoint returns; lost while a query is being polled, the
 * polling goes on with its backoff and the query's first page still arrives.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnowflakeOutageTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 1_000;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.snowflake.retry-timeout", "1");
        properties.setProperty("warehouse.snowflake.login-timeout", "2");
        properties.setProperty("warehouse.reconnect-interval", "300");
    }

    @Override
    protected void beforeStart() {
        snowflake.stop();
    }

    @Test
    @Order(1)
    void down_at_start_the_api_starts_unready_and_recovers_when_snowflake_returns() throws Exception {
        try (WsClient ws = connect()) {
            assertWarehouseUnavailable(ws);

            snowflake.restart();
            awaitReady();
            assertThat(ws.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
        }
    }

    @Test
    @Order(2)
    void lost_while_polling_the_query_is_not_lost() throws Exception {
        try (WsClient ws = connect()) {
            ws.send("{\"action\":\"run_view\",\"view_name\":\"sleepy_vw\"}");
            ws.next("submitted");
            String queryId = ws.next("running").path("query_id").asText();
            snowflake.stop();
            int polls = snowflake.requests.size();
            Thread.sleep(1500); // the outage: the API's polls fail meanwhile
            snowflake.restart();
            JsonNode results = ws.await("results");
            assertThat(results.path("query_id").asText()).isEqualTo(queryId);
            assertThat(results.path("total_rows").asLong()).isEqualTo(1);
            assertThat(snowflake.requests.size()).as("polling went on after the outage").isGreaterThan(polls);
        }
    }
}
