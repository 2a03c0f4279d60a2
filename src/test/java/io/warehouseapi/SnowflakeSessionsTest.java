package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Copies of results hold a Snowflake session for their whole download: however many run at once, a submit still finds
 * a session free (copies take at most one fewer than the pool's sessions), instead of waiting for the pool's timeout.
 */
class SnowflakeSessionsTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.snowflake.pool-size", "2");
        properties.setProperty("warehouse.max-concurrent-queries", "2");
        properties.setProperty("warehouse.snowflake.login-timeout", "5");
    }

    @Test
    void a_submit_finds_a_session_while_results_are_copied() {
        // each of a result's 7 chunk files takes 2 s to come
        snowflake.chunkFetchDelay(Duration.ofSeconds(2));
        try (WsClient a = connect(); WsClient b = connect(); WsClient c = connect()) {
            int fetched = snowflake.chunksFetched();
            a.send(question("gt", 0));
            b.send(question("gt", 1));
            a.next("submitted");
            b.next("submitted");
            a.next("running");
            b.next("running");
            await().atMost(Duration.ofSeconds(20)).until(() -> snowflake.chunksFetched() > fetched);

            long asked = System.nanoTime();
            c.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"fresh\":true}");
            c.next("submitted");
            JsonNode running = c.next();
            Duration waited = Duration.ofNanos(System.nanoTime() - asked);
            assertThat(running.path("type").asText()).as("%s", running).isEqualTo("running");
            assertThat(waited).as("a session was free for the submit").isLessThan(Duration.ofSeconds(3));
            assertThat(c.await("results").path("type").asText()).isEqualTo("results");
            snowflake.chunkFetchDelay(Duration.ZERO);
            assertThat(a.await("results").path("total_rows").asLong()).isPositive();
            assertThat(b.await("results").path("total_rows").asLong()).isPositive();
        } finally {
            snowflake.chunkFetchDelay(Duration.ZERO);
        }
    }

    private static String question(String op, int value) {
        return "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true,\"filters\":{\"column\":"
               + "\"TRIPDURATION\",\"op\":\"" + op + "\",\"value\":" + value + "}}";
    }
}
