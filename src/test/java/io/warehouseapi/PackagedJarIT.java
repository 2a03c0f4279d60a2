package io.warehouseapi;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runnable jar as a user starts it, {@code java -jar target/warehouse-api.jar}, configured by environment
 * variables alone: it generates its sample, answers run_view over a WebSocket, and stops on SIGTERM with exit code 0.
 */
class PackagedJarIT {

    private Process process;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void the_runnable_jar_serves_run_view_and_stops_cleanly_on_sigterm() throws Exception {
        Path jar = Path.of("target", "warehouse-api.jar").toAbsolutePath();
        assertThat(jar).exists();
        assertThat(jar.getParent().resolve("lib")).isDirectory();
        Path work = Files.createDirectories(Path.of("target", "it-packaged-jar").toAbsolutePath());
        Path log = work.resolve("app.log");
        int port = AvailablePortFinder.getNextAvailable();

        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("CAMEL_SERVER_PORT", Integer.toString(port));
        env.put("WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", "5000");
        env.put("WAREHOUSE_EMBEDDED_PATH", work.resolve("data" + File.separator + "warehouse.duckdb").toString());
        env.put("RESULTS_PATH", work.resolve("data" + File.separator + "results.duckdb").toString());
        Files.deleteIfExists(work.resolve("data").resolve("warehouse.duckdb"));
        process = builder.start();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> isListening(port) || !process.isAlive());
        assertThat(process.isAlive()).as("the application is running; see " + log).isTrue();

        try (WsClient client = WsClient.connect(port)) {
            JsonNode results = client.runView("trip_weather_vw", "");
            assertThat(results.path("row_count").asInt()).isEqualTo(100);
            assertThat(results.path("total_rows").asLong()).isEqualTo(5000);
        }

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        assertThat(process.exitValue()).isZero();
        String output = Files.readString(log);
        assertThat(output).contains("Generating the sample data set: 5000 trips");
        assertThat(output).contains("Vert.x HttpServer started on 127.0.0.1:" + port);
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
