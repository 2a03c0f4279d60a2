package io.warehouseapi;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunViewTest} with the Snowflake adapter selected, against the fake Snowflake: the routes do not change. Adds
 * what only Snowflake has: one download of the persisted result however many pages are read.
 */
class RunViewOnSnowflakeTest extends RunViewTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Test
    void the_result_is_downloaded_once_however_many_pages_are_read_and_views_are_queried_asynchronously() {
        try (WsClient client = connect()) {
            int before = snowflake.asyncQueryIds.size();
            JsonNode first = client.runView("trip_weather_vw", ",\"page_size\":50,\"fresh\":true");
            String queryId = first.path("query_id").asText();
            for (int offset = 50; offset < 1000; offset += 50) {
                JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                               + "\",\"offset\":" + offset + ",\"page_size\":50}");
                assertThat(page.path("offset").asInt()).isEqualTo(offset);
                assertThat(page.path("row_count").asInt()).isEqualTo(50);
            }
            assertThat(snowflake.asyncQueryIds).hasSize(before + 1);
            String snowflakeId = snowflake.asyncQueryIds.get(before);
            assertThat(queryId).as("the client's id is its own, not Snowflake's").isNotEqualTo(snowflakeId);
            assertThat(snowflake.downloadsOf(snowflakeId)).isEqualTo(1);
            assertThat(snowflake.asyncStatements).contains("SELECT *, SEQ8() AS \"__WAREHOUSE_API_ROW\" FROM \"CITIBIKE\".\"PUBLIC\".\"TRIP_WEATHER_VW\"");
            assertThat(snowflake.statusSequence.stream().filter(s -> s.startsWith(snowflakeId)).map(s -> s.substring(snowflakeId.length() + 1)))
                    .containsSubsequence("QUEUED", "RUNNING", "SUCCESS");
            assertThat(snowflake.loginFailures).isEmpty();
            assertThat(snowflake.logins.get()).as("sessions are pooled, not opened per request").isLessThanOrEqualTo(4);
        }
    }
}
