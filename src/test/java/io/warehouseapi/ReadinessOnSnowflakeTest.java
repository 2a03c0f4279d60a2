package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Readiness is down while the warehouse cannot be reached (the fake Snowflake endpoint stopped for real). */
class ReadinessOnSnowflakeTest extends ApiTestSupport {

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
        properties.setProperty("warehouse.views.refresh-interval", "500");
    }

    @Test
    void readiness_is_down_while_snowflake_cannot_be_reached() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/observe/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        assertThat(http.send(ready, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        snowflake.stop();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).contains("DOWN");
        });
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port() + "/observe/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).as("the process itself is alive").isEqualTo(200);
    }
}
