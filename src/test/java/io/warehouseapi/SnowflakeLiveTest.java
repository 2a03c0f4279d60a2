package io.warehouseapi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.snowflake.SnowflakeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against a real Snowflake account, when SNOWFLAKE_ACCOUNT and the other SNOWFLAKE_* settings are in the environment
 * (see docs/snowflake.md, "Testing against Snowflake"); reported as skipped otherwise. The view (SNOWFLAKE_VIEW,
 * TRIP_WEATHER_VW by default) is read as the API's role reads it; SNOWFLAKE_PAGED_FILTER narrows the result that is
 * paged whole and compared with Snowflake's own answer (by default one day of STARTTIME).
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

    private static String view() {
        return System.getenv().getOrDefault("SNOWFLAKE_VIEW", "TRIP_WEATHER_VW");
    }

    @Test
    void a_whole_result_paged_is_snowflakes_own_answer_row_for_row() throws Exception {
        String filter = System.getenv().getOrDefault("SNOWFLAKE_PAGED_FILTER",
                "{\"and\":[{\"column\":\"STARTTIME\",\"op\":\"gte\",\"value\":\"2018-06-01T00:00:00\"},"
                + "{\"column\":\"STARTTIME\",\"op\":\"lt\",\"value\":\"2018-06-02T00:00:00\"}]}");
        List<String> paged = new ArrayList<>();
        long total;
        try (WsClient client = connect()) {
            JsonNode first = client.runView(view(), ",\"page_size\":1000,\"fresh\":true,\"filters\":" + filter
                    + ",\"order_by\":[{\"column\":\"STARTTIME\"},{\"column\":\"BIKEID\"}]");
            assertThat(first.path("type").asText()).as("%s", first).isEqualTo("results");
            total = first.path("total_rows").asLong();
            String queryId = first.path("query_id").asText();
            first.path("results").forEach(row -> paged.add(row.toString()));
            for (long offset = 1000; offset < total; offset += 1000) {
                JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                               + "\",\"offset\":" + offset + ",\"page_size\":1000}");
                assertThat(page.path("offset").asLong()).isEqualTo(offset);
                page.path("results").forEach(row -> paged.add(row.toString()));
            }
        }
        assertThat(paged).hasSize((int) total);
        assertThat(new HashSet<>(paged)).as("no row repeated").hasSize(paged.size());
        // Snowflake's own count of the same rows, through the driver directly
        SnowflakeSettings settings = SnowflakeSettings.from(context.getPropertiesComponent());
        try (var pool = settings.dataSource(); Connection connection = pool.getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM \"" + settings.database()
                     + "\".\"" + settings.schema() + "\".\"" + view() + "\" WHERE STARTTIME >= '2018-06-01' "
                     + "AND STARTTIME < '2018-06-02'")) {
            if (System.getenv("SNOWFLAKE_PAGED_FILTER") == null) {
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    assertThat(total).isEqualTo(rs.getLong(1));
                }
            }
        }
    }

    @Test
    void a_filter_on_each_temporal_column_binds_its_value_in_the_accounts_terms() {
        try (WsClient client = connect()) {
            JsonNode views = client.request("{\"action\":\"list_views\"}");
            JsonNode first = client.runView(view(), ",\"page_size\":1");
            JsonNode row = first.path("results").get(0);
            Set<String> types = new HashSet<>();
            for (JsonNode listed : views.path("views")) {
                if (!listed.path("name").asText().equalsIgnoreCase(view())) {
                    continue;
                }
                for (JsonNode column : listed.path("columns")) {
                    String type = column.path("type").asText();
                    String name = column.path("name").asText();
                    if (!(type.startsWith("TIMESTAMP") || type.equals("DATE") || type.equals("TIME"))
                        || row.path(name).isNull()) {
                        continue;
                    }
                    String value = row.path(name).asText();
                    JsonNode equal = client.runView(view(), ",\"page_size\":10,\"filters\":{\"and\":["
                            + "{\"column\":\"" + name + "\",\"op\":\"gte\",\"value\":\"" + value + "\"},"
                            + "{\"column\":\"" + name + "\",\"op\":\"lte\",\"value\":\"" + value + "\"}]}");
                    assertThat(equal.path("type").asText()).as("%s %s", name, equal).isEqualTo("results");
                    assertThat(equal.path("total_rows").asLong()).as(name).isPositive();
                    equal.path("results").forEach(r -> assertThat(r.path(name).asText()).isEqualTo(value));
                    types.add(type);
                }
            }
            assertThat(types).as("the view has temporal columns to filter on").isNotEmpty();
        }
    }

    @Test
    void cancel_stops_the_query_in_snowflake() {
        try (WsClient client = connect()) {
            // a whole view, sorted: long enough to be cancelled while it runs on a small warehouse
            client.send("{\"action\":\"run_view\",\"view_name\":\"" + view() + "\",\"fresh\":true,"
                        + "\"order_by\":[{\"column\":\"TRIPDURATION\",\"direction\":\"desc\"}]}");
            client.next("submitted");
            String queryId = client.next("running").path("query_id").asText();
            client.send("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            List<String> types = List.of(client.next().path("type").asText(), client.next().path("type").asText());
            if (types.contains("results")) {
                return; // it finished first: nothing to cancel
            }
            assertThat(types).contains("cancelled");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> client.request(
                    "{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}").path("status").asText()
                    .equals("CANCELLED"));
        }
    }

    @Test
    void run_view_and_fetch_results_on_the_real_account() {
        try (WsClient client = connect()) {
            JsonNode first = client.runView(view(), ",\"page_size\":10");
            assertThat(first.path("row_count").asInt()).isPositive();
            String queryId = first.path("query_id").asText();
            JsonNode next = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":\"10\",\"page_size\":10}");
            assertThat(next.path("type").asText()).isEqualTo("results");
            assertThat(next.path("offset").asInt()).isEqualTo(10);
        }
    }
}
