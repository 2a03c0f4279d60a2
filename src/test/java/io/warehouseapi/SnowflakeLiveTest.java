package io.warehouseapi;

import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against a real Snowflake account, when SNOWFLAKE_ACCOUNT and the other SNOWFLAKE_* settings are in the environment
 * (see the README); reported as skipped otherwise.
 */
@EnabledIfEnvironmentVariable(named = "SNOWFLAKE_ACCOUNT", matches = ".+")
class SnowflakeLiveTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.type", "snowflake");
        properties.setProperty("warehouse.snowflake.account", System.getenv("SNOWFLAKE_ACCOUNT"));
        set(properties, "user", "SNOWFLAKE_USER");
        set(properties, "database", "SNOWFLAKE_DATABASE");
        set(properties, "schema", "SNOWFLAKE_SCHEMA");
        set(properties, "warehouse", "SNOWFLAKE_WAREHOUSE");
        set(properties, "role", "SNOWFLAKE_ROLE");
        set(properties, "url", "SNOWFLAKE_URL");
        set(properties, "private-key-file", "SNOWFLAKE_PRIVATE_KEY_FILE");
        set(properties, "private-key-passphrase", "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE");
    }

    private static void set(Properties properties, String name, String variable) {
        String value = System.getenv(variable);
        if (value != null && !value.isBlank()) {
            properties.setProperty("warehouse.snowflake." + name, value);
        }
    }

    @Test
    void run_view_and_fetch_results_on_the_real_account() {
        String view = System.getenv().getOrDefault("SNOWFLAKE_VIEW", "TRIP_WEATHER_VW");
        try (WsClient client = connect()) {
            JsonNode first = client.runView(view, ",\"page_size\":10");
            assertThat(first.path("row_count").asInt()).isPositive();
            String queryId = first.path("query_id").asText();
            JsonNode next = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":\"10\",\"page_size\":10}");
            assertThat(next.path("type").asText()).isEqualTo("results");
            assertThat(next.path("offset").asInt()).isEqualTo(10);
        }
    }
}
