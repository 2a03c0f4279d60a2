package io.warehouseapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.embedded.SampleDataset;
import io.warehouseapi.snowflake.FakeSnowflake;
import io.warehouseapi.snowflake.TestKeys;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Boots the real application once per test class (camel-main with the route files, application.properties and
 * {@link ApiConfiguration}) on a free loopback port, with its own DuckDB files under {@code target/test-data}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiTestSupport extends CamelMainTestSupport {

    // set lazily: CamelTestSupport's constructor asks for the properties before field initializers run
    private int port;
    private Path dataDir;

    protected int port() {
        if (port == 0) {
            port = AvailablePortFinder.getNextAvailable();
        }
        return port;
    }

    protected Path dataDir() {
        if (dataDir == null) {
            dataDir = Path.of("target", "test-data", getClass().getSimpleName()).toAbsolutePath();
        }
        return dataDir;
    }

    /** A directory for a test's own files (keys, key lists) that, unlike {@link #dataDir()}, is not cleared at start. */
    protected Path filesDir() {
        Path dir = Path.of("target", "test-data", getClass().getSimpleName() + "-files").toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return dir;
    }

    private java.security.KeyPair keys;

    /** The Snowflake service user's private key, in {@link #onSnowflake()} mode. */
    protected java.security.PrivateKey snowflakePrivateKey() {
        return keys.getPrivate();
    }
    protected FakeSnowflake snowflake;

    /** Whether the application runs with the Snowflake adapter, against a fake Snowflake on loopback. */
    protected boolean onSnowflake() {
        return false;
    }

    /** The number of trips the sample is generated with; small, so that each query takes milliseconds. */
    protected long tripCount() {
        return 20_000;
    }

    /** Extra settings of a test class. */
    protected void overrideProperties(Properties properties) {
    }

    protected Path warehouseFile() {
        return dataDir().resolve("warehouse.duckdb");
    }

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "classpath:application.properties,classpath:flow.properties";
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties properties = new Properties();
        properties.setProperty("camel.server.port", Integer.toString(port()));
        properties.setProperty("camel.server.host", "127.0.0.1");
        properties.setProperty("warehouse.embedded.sample.path", warehouseFile().toString());
        properties.setProperty("results.spill-directory", dataDir().resolve("results.spill").toString());
        properties.setProperty("warehouse.embedded.sample.trips", Long.toString(tripCount()));
        // DuckDB's own log of the statements the engine runs, which tests read back (engineQueryLog)
        properties.setProperty("warehouse.embedded.query-log", "true");
        if (onSnowflake()) {
            try {
                keys = TestKeys.rsa();
                snowflake = new FakeSnowflake("testacct", "api_user", keys.getPublic(), warehouseFile());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            properties.setProperty("warehouse.type", "snowflake");
            properties.setProperty("warehouse.snowflake.url", snowflake.jdbcUrl());
            properties.setProperty("warehouse.snowflake.account", "testacct");
            properties.setProperty("warehouse.snowflake.user", "api_user");
            properties.setProperty("warehouse.snowflake.database", "CITIBIKE");
            properties.setProperty("warehouse.snowflake.schema", "PUBLIC");
            properties.setProperty("warehouse.snowflake.warehouse", "API_WH");
            properties.setProperty("warehouse.snowflake.role", "API_READER");
            properties.setProperty("warehouse.snowflake.private-key-file", dataDir().resolve("rsa_key.p8").toString());
            properties.setProperty("warehouse.snowflake.private-key-passphrase-file",
                    dataDir().resolve("rsa_key.pass").toString());
        }
        // these suites read total_rows from each first page; the first page sent ahead of its result (the default)
        // is the FirstPage suites', the browser's, the packaged jar's and the scale test's
        properties.setProperty("results.first-page-early", "false");
        overrideProperties(properties);
        return properties;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        prepareDatabase();
        beforeStart();
        return super.createCamelContext();
    }

    /** Called once the test database is ready and before the application starts. */
    protected void beforeStart() throws Exception {
    }

    /** A fresh database holding the test views; the application adds the sample on start. */
    private void prepareDatabase() throws IOException, SQLException {
        Path dataDir = dataDir();
        if (Files.exists(dataDir)) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        Files.createDirectories(dataDir);
        String views;
        try (var in = ApiTestSupport.class.getResourceAsStream("/sql/test-views.sql")) {
            views = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement()) {
            statement.execute(views);
        }
        if (onSnowflake()) {
            // the fake Snowflake serves the sample, which the application does not generate in this mode
            try (HikariDataSource sample = new HikariDataSource()) {
                sample.setJdbcUrl("jdbc:duckdb:" + warehouseFile());
                sample.setMaximumPoolSize(1);
                new SampleDataset(sample, tripCount()).ensure();
            }
            try {
                Files.writeString(dataDir.resolve("rsa_key.p8"),
                        TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
                Files.writeString(dataDir.resolve("rsa_key.pass"), TestKeys.PASSPHRASE + "\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @AfterAll
    void stopApplication() {
        // one application per test class: stop it before the next class starts its own
        if (context != null) {
            context.stop();
        }
        if (snowflake != null) {
            snowflake.close();
        }
    }

    protected WsClient connect() {
        return WsClient.connect(port());
    }

    /** Runs statements of the test's own on the warehouse file (before the application starts: views it adds). */
    protected void executeOnWarehouseFile(String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Runs a query of the test's own on the warehouse file, as the engine sees it. */
    protected long queryLong(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The statements DuckDB's own query log holds (warehouse.embedded.query-log, on in every test). */
    protected java.util.List<String> engineQueryLog() throws SQLException {
        java.util.List<String> statements = new java.util.ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT message FROM duckdb_logs WHERE type = 'QueryLog'")) {
            while (rs.next()) {
                statements.add(rs.getString(1));
            }
        }
        return statements;
    }

    /** The HTTP status of a GET on the application's port, such as /observe/health/ready. */
    protected int httpStatus(String path) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port() + path)).timeout(java.time.Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The application is alive but not ready, and a run_view on the connection is answered WAREHOUSE_UNAVAILABLE. */
    protected void assertWarehouseUnavailable(WsClient ws) throws IOException, InterruptedException {
        assertThat(httpStatus("/observe/health/live")).isEqualTo(200);
        assertThat(httpStatus("/observe/health/ready")).isEqualTo(503);
        ws.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\"}");
        ws.next("submitted");
        assertThat(ws.next("error").path("code").asText()).isEqualTo("WAREHOUSE_UNAVAILABLE");
    }

    /** Waits until readiness is up again. */
    protected void awaitReady() {
        await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(300))
                .until(() -> httpStatus("/observe/health/ready") == 200);
    }

    protected <T> T bean(String name, Class<T> type) {
        return context.getRegistry().lookupByNameAndType(name, type);
    }
}
