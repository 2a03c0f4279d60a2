package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded warehouse pointed at a DuckDB file of the user's (warehouse.embedded.path) holding a table
 * {@code trips} and a view over it: the user's view is served; no sample is generated into the file, nothing in it
 * is created, dropped or changed (its bytes are the same after the API ran), and another process can read it while
 * the API has it open. Its views over files beside it are served; the engine reads no file elsewhere. A page opened
 * from disk (Origin: null) is not served real data.
 */
class UsersDatabaseTest extends ApiTestSupport {

    private Path usersFile;
    private String digestBefore;

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("warehouse.embedded.path", usersFile().toString());
    }

    private Path usersFile() {
        if (usersFile == null) {
            usersFile = filesDir().resolve("mine.duckdb");
        }
        return usersFile;
    }

    @Override
    protected void beforeStart() throws Exception {
        Files.deleteIfExists(usersFile());
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + usersFile());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE trips (id INTEGER, rider VARCHAR)");
            statement.execute("INSERT INTO trips VALUES (1, 'ada'), (2, 'grace')");
            statement.execute("CREATE VIEW my_trips_vw AS SELECT id, rider FROM trips");
            // views over files: beside the database (readable), and elsewhere (not listed: not readable)
            Path beside = usersFile().resolveSibling("stations.parquet");
            Path elsewhere = dataDir().resolve("elsewhere.parquet");
            Files.createDirectories(dataDir());
            Files.deleteIfExists(beside);
            Files.deleteIfExists(elsewhere);
            statement.execute("COPY (SELECT 72 AS station_id) TO '" + beside + "'");
            statement.execute("COPY (SELECT 'secret' AS note) TO '" + elsewhere + "'");
            statement.execute("CREATE VIEW stations_vw AS SELECT * FROM read_parquet('" + beside + "')");
            statement.execute("CREATE VIEW elsewhere_vw AS SELECT * FROM read_parquet('" + elsewhere + "')");
        }
        digestBefore = digest(usersFile());
    }

    @Test
    void the_users_view_is_served_and_the_file_is_left_as_it_was() throws Exception {
        try (WsClient ws = connect()) {
            JsonNode views = ws.request("{\"action\":\"list_views\"}");
            List<String> names = new ArrayList<>();
            views.path("views").forEach(view -> names.add(view.path("name").asText()));
            assertThat(names).containsExactly("ELSEWHERE_VW", "MY_TRIPS_VW", "STATIONS_VW");

            JsonNode results = ws.runView("my_trips_vw", "");
            assertThat(results.path("total_rows").asLong()).isEqualTo(2);
            List<String> riders = new ArrayList<>();
            assertThat(results.path("columns").get(1).path("name").asText()).isEqualTo("rider");
            results.path("results").forEach(row -> riders.add(row.path("rider").asText()));
            assertThat(riders).containsExactlyInAnyOrder("ada", "grace");

            assertThat(ws.runView("stations_vw", "").path("results").get(0).path("station_id").asInt()).isEqualTo(72);
            // the engine reads no file outside the allowed directories, and the client is not told where it is
            ws.send("{\"action\":\"run_view\",\"view_name\":\"elsewhere_vw\"}");
            ws.next("submitted");
            ws.next("running");
            JsonNode refused = ws.await("error");
            assertThat(refused.path("code").asText()).isEqualTo("QUERY_FAILED");
            assertThat(refused.path("message").asText()).startsWith("The view could not be run as the warehouse")
                    .doesNotContain("elsewhere").doesNotContain(dataDir().toString());

            ws.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"}");
            ws.next("submitted");
            assertThat(ws.next("error").path("code").asText()).isEqualTo("VIEW_NOT_FOUND");
        }

        // a page opened from disk (Origin: null), which any web site can pretend to be, reads no real data
        try (WsClient fromDisk = WsClient.connect(port(), "null")) {
            assertThat(fromDisk.awaitClose()).isEqualTo(1008);
        }

        // another process reads the file while the API holds it (both read-only)
        Properties readOnly = new Properties();
        readOnly.setProperty("access_mode", "READ_ONLY");
        try (Connection other = DriverManager.getConnection("jdbc:duckdb:" + usersFile(), readOnly);
             Statement statement = other.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM my_trips_vw")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(2);
        }

        context.stop();
        assertThat(digest(usersFile())).as("the user's file, byte for byte").isEqualTo(digestBefore);
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + usersFile(), readOnly);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM duckdb_tables()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("trips");
        }
    }

    private static String digest(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
