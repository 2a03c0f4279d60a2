package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A result beyond its first chunk, as Snowflake sends it: the rest in gzip-compressed chunk files fetched from cloud
 * storage through pre-signed URLs with the result's key (the double's storage checks it), which expire.
 */
class SnowflakeChunksTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        // the driver retries an expired chunk URL this long
        properties.setProperty("warehouse.snowflake.retry-timeout", "5");
    }

    @AfterEach
    void urlsAsUsual() {
        snowflake.chunkUrlLifetime(Duration.ofHours(6));
    }

    @Test
    void a_result_in_chunks_is_copied_whole_in_its_order() throws Exception {
        int fetched = snowflake.chunksFetched();
        List<String> paged = page(",\"order_by\":[{\"column\":\"STARTTIME\"},{\"column\":\"BIKEID\"}]");
        // the first 300 rows came with the answer, the other 4,700 in 7 chunk files
        assertThat(snowflake.chunksFetched() - fetched).isEqualTo(7);
        assertThat(snowflake.chunkFetchesWithoutKey()).isZero();
        List<String> expected = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT BIKEID, TRIPDURATION FROM trip_weather_vw "
                                                   + "ORDER BY STARTTIME, BIKEID")) {
            while (rs.next()) {
                expected.add(rs.getInt(1) + "|" + rs.getInt(2));
            }
        }
        assertThat(paged).isEqualTo(expected);
    }

    @Test
    void chunk_urls_that_expired_before_the_copy_are_asked_for_again() throws Exception {
        // every URL of the first answer has expired by the time it is fetched
        snowflake.chunkUrlLifetime(Duration.ZERO);
        long started = System.nanoTime();
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true}");
            client.next("submitted");
            client.next("running");
            await(Duration.ofSeconds(60), () -> snowflake.expiredChunkFetches() > 0);
            snowflake.chunkUrlLifetime(Duration.ofHours(6));
            JsonNode results = WsClient.parse(client.nextText(Duration.ofMinutes(3)));
            assertThat(results.path("total_rows").asLong()).isEqualTo(5_000);
        }
        System.out.println("expired chunk URLs: answered after " + Duration.ofNanos(System.nanoTime() - started));
    }

    private static void await(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        org.awaitility.Awaitility.await().atMost(atMost).until(condition);
    }

    /** Every row of trip_weather_vw in a question's order, paged, as BIKEID|TRIPDURATION. */
    private List<String> page(String question) {
        List<String> rows = new ArrayList<>();
        try (WsClient client = connect()) {
            JsonNode first = client.runView("trip_weather_vw", ",\"page_size\":1000,\"fresh\":true" + question);
            assertThat(first.path("type").asText()).as("%s", first).isEqualTo("results");
            String queryId = first.path("query_id").asText();
            long total = first.path("total_rows").asLong();
            first.path("results").forEach(row -> rows.add(row.path("BIKEID").asInt() + "|"
                                                           + row.path("TRIPDURATION").asInt()));
            for (long offset = 1000; offset < total; offset += 1000) {
                JsonNode page = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                               + "\",\"offset\":" + offset + ",\"page_size\":1000}");
                page.path("results").forEach(row -> rows.add(row.path("BIKEID").asInt() + "|"
                                                             + row.path("TRIPDURATION").asInt()));
            }
        }
        return rows;
    }
}
