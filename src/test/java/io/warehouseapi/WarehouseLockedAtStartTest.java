package io.warehouseapi;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded warehouse's DuckDB file held locked by another process at start, for real: the API starts anyway,
 * readiness is down, requests get WAREHOUSE_UNAVAILABLE on a connection that stays usable, and once the other
 * process lets go the API connects by itself and serves the view.
 */
class WarehouseLockedAtStartTest extends ApiTestSupport {

    private Process holder;

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.reconnect-interval", "300");
    }

    @Override
    protected void beforeStart() throws Exception {
        Path duckdbJar = Path.of(org.duckdb.DuckDBDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        holder = new ProcessBuilder(java.toString(), "-cp", duckdbJar.toString(),
                Path.of("src/test/resources/faults/LockHolder.java").toAbsolutePath().toString(),
                warehouseFile().toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the other process holds the file").isEqualTo("locked");
    }

    @AfterAll
    void stopHolder() {
        if (holder != null) {
            holder.destroyForcibly();
        }
    }

    @Test
    void the_api_starts_unready_answers_unavailable_and_recovers_when_the_lock_is_released() throws Exception {
        try (WsClient ws = connect()) {
            assertWarehouseUnavailable(ws);
            assertThat(ws.request("{\"action\":\"list_views\"}").path("code").asText())
                    .isEqualTo("WAREHOUSE_UNAVAILABLE");

            holder.getOutputStream().close();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            awaitReady();

            JsonNode results = ws.runView("weather_vw", "");
            assertThat(results.path("row_count").asInt()).isEqualTo(100);
            List<String> views = ws.request("{\"action\":\"list_views\"}").findValuesAsText("name");
            assertThat(views).contains("TRIP_WEATHER_VW", "WEATHER_VW");
        }
    }
}
