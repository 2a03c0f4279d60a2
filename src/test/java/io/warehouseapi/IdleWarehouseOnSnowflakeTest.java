package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An idle API sends Snowflake no statement (each would keep the warehouse from suspending itself): the periodic read of
 * the catalog runs only while the API is used, health probes read nothing from Snowflake, and whether it can still be
 * reached is checked with a session's heartbeat.
 */
class IdleWarehouseOnSnowflakeTest extends ApiTestSupport {

    private static final long REFRESH_MS = 200;

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
        properties.setProperty("warehouse.views.refresh-interval", Long.toString(REFRESH_MS));
    }

    private long catalogReads() {
        return snowflake.statements.stream().filter(sql -> sql.contains("INFORMATION_SCHEMA.VIEWS")).count();
    }

    @Test
    void an_idle_api_sends_snowflake_nothing_and_reads_the_catalog_again_once_used() throws Exception {
        try (WsClient client = connect()) {
            long before = catalogReads();
            assertThat(client.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
            // the use is followed by one read, at the next tick
            await().atMost(Duration.ofSeconds(5)).until(() -> catalogReads() > before);

            // idle for 25 refresh intervals, probed for health meanwhile: not one statement
            Thread.sleep(REFRESH_MS);
            int statements = snowflake.statements.size();
            int requests = snowflake.requests.size();
            long idleUntil = System.nanoTime() + Duration.ofMillis(25 * REFRESH_MS).toNanos();
            while (System.nanoTime() < idleUntil) {
                assertThat(httpStatus("/observe/health/ready")).isEqualTo(200);
                Thread.sleep(REFRESH_MS / 2);
            }
            assertThat(snowflake.statements.subList(statements, snowflake.statements.size()))
                    .as("statements sent while idle").isEmpty();
            // only sessions' heartbeats, which need no warehouse, checked that Snowflake could be reached
            assertThat(snowflake.requests.subList(requests, snowflake.requests.size()))
                    .isNotEmpty().allMatch(request -> request.contains("/session/heartbeat"));

            // used again: read again
            long idle = catalogReads();
            assertThat(client.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
            await().atMost(Duration.ofSeconds(5)).until(() -> catalogReads() > idle);
        }
    }
}
