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

        Files.deleteIfExists(work.resolve("data").resolve("warehouse.duckdb"));
        process = startJar(jar, work, log, Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(port),
                "WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", "5000",
                "WAREHOUSE_EMBEDDED_SAMPLE_PATH", work.resolve("data" + File.separator + "warehouse.duckdb").toString(),
                "RESULTS_SPILL_DIRECTORY", work.resolve("data" + File.separator + "results.spill").toString()), port);

        try (WsClient client = WsClient.connect(port)) {
            JsonNode results = client.runView("trip_weather_vw", ",\"request_id\":\"run\"");
            assertThat(results.path("row_count").asInt()).isEqualTo(100);
            // the first page may come before the whole result is stored (results.first-page-early), its count then
            // with "complete"
            JsonNode counted = results.path("complete").asBoolean(true) ? results : client.await("complete");
            assertThat(counted.path("total_rows").asLong()).isEqualTo(5000);
        }

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        assertThat(process.exitValue()).isZero();
        String output = Files.readString(log);
        assertThat(output).contains("Generating the sample data set: 5000 trips");
        assertThat(output).contains("Vert.x HttpServer started on 127.0.0.1:" + port);
    }

    @Test
    void an_access_policies_file_naming_a_view_the_api_does_not_expose_stops_the_start() throws Exception {
        Path jar = Path.of("target", "warehouse-api.jar").toAbsolutePath();
        Path work = Files.createDirectories(Path.of("target", "it-policies").toAbsolutePath());
        Path policies = work.resolve("policies.yaml");
        Files.writeString(policies, "roles:\n  partner:\n    views:\n      NO_SUCH_VW: {}\n");
        Path log = work.resolve("app.log");
        int port = AvailablePortFinder.getNextAvailable();
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(port),
                "WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", "2000",
                "API_AUTH_MODE", "token",
                "API_AUTH_TOKENS", "pat:a-key-of-at-least-22-characters",
                "API_ACCESS_POLICIES_FILE", policies.toString()));
        process = builder.start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("stopped by itself; see " + log).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(Files.readString(log)).contains("api.access.policies-file")
                .contains("NO_SUCH_VW names a view the API does not expose");
    }

    @Test
    void sigterm_mid_query_cancels_it_closes_connections_with_1001_and_exits_0() throws Exception {
        Path jar = Path.of("target", "warehouse-api.jar").toAbsolutePath();
        Path work = Files.createDirectories(Path.of("target", "it-sigterm").toAbsolutePath());
        Path data = work.resolve("data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(data);
        // the test views, slow_vw among them, in the database the application will open
        String views = new String(PackagedJarIT.class.getResourceAsStream("/sql/test-views.sql").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + data.resolve("sample.duckdb"));
             var statement = connection.createStatement()) {
            statement.execute(views);
        }
        Path log = work.resolve("app.log");
        int port = AvailablePortFinder.getNextAvailable();
        process = startJar(jar, work, log, Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(port),
                "WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", "2000",
                "API_SHUTDOWN_GRACE", "PT1S"), port);

        try (WsClient client = WsClient.connect(port)) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"request_id\":\"slow\"}");
            client.next("submitted");
            client.next("running");
            long stopping = System.nanoTime();
            process.destroy(); // SIGTERM
            JsonNode ended = client.await("error");
            assertThat(ended.path("code").asText()).isEqualTo("QUERY_CANCELLED");
            assertThat(client.awaitClose()).isEqualTo(1001);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            assertThat(process.exitValue()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(20));
        }
        String output = Files.readString(log);
        assertThat(output).contains("Cancelled 1 queries still running after PT1S").contains("Closed 1 connections with 1001");
    }

    /** Starts {@code java -jar} in a working directory with extra environment variables, and waits for its port. */
    private static Process startJar(Path jar, Path work, Path log, Map<String, String> env, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString())
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process started = builder.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> isListening(port) || !started.isAlive());
        assertThat(started.isAlive()).as("the application is running; see " + log).isTrue();
        return started;
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
