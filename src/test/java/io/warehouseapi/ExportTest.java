package io.warehouseapi;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exports over real HTTP on the API's port: CSV, NDJSON and Parquet of a question's result, read back with DuckDB
 * itself, equal the result; gzip when asked; the link names one result, works for its lifetime only, and anything
 * else is a bare 404; the export action checks ownership and state as fetch_results does; a client that stops reading
 * holds one download slot until it goes or stalls past the limit, and hurts nobody else.
 */
class ExportTest extends ApiTestSupport {

    private static final String QUESTION = ", \"columns\":[\"TRIPDURATION\",\"STARTTIME\",\"START_STATION_NAME\","
            + "\"TEMP_AVG_C\",\"BIRTH_YEAR\",\"NAME\"], \"filters\":{\"column\":\"TRIPDURATION\",\"op\":\"gt\","
            + "\"value\":600}, \"order_by\":[{\"column\":\"TRIPDURATION\",\"direction\":\"desc\"},"
            + "{\"column\":\"STARTTIME\"},{\"column\":\"START_STATION_NAME\"}]";
    private static final String SAME_QUESTION_SQL = "SELECT TRIPDURATION, STARTTIME, START_STATION_NAME, TEMP_AVG_C, "
            + "BIRTH_YEAR, NAME FROM trip_weather_vw WHERE TRIPDURATION > 600";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.export.link-ttl", "PT10S");
        properties.setProperty("api.export.max-concurrent", "2");
        // the slots themselves are what this class tests; the share of one owner is ExportSlotsTest's
        properties.setProperty("api.export.max-concurrent-per-principal", "3");
        // the test reads the files it downloads with DuckDB in this process, whose connections to the warehouse
        // file share the API's engine, and that engine reads files only in the directories it is allowed
        properties.setProperty("warehouse.embedded.allowed-directories", dataDir().toString());
        properties.setProperty("api.export.stall-timeout", "PT4S");
    }

    private JsonNode export(WsClient ws, String queryId, String format) {
        JsonNode link = ws.request("{\"action\":\"export\",\"query_id\":\"" + queryId + "\",\"format\":\"" + format
                                   + "\",\"request_id\":\"e1\"}");
        assertThat(link.path("type").asText()).as("%s", link).isEqualTo("export");
        assertThat(link.path("query_id").asText()).isEqualTo(queryId);
        assertThat(link.path("format").asText()).isEqualTo(format);
        assertThat(link.path("request_id").asText()).isEqualTo("e1");
        assertThat(Instant.parse(link.path("expires_at").asText())).isAfter(Instant.now());
        return link;
    }

    private HttpResponse<Path> download(String url, Path file, String acceptEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + url))
                .timeout(Duration.ofSeconds(60));
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofFile(file));
    }

    private HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + url))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Rows of one side not matched, row for row, on the other (0 when the two are equal as multisets). */
    private long difference(String left, String right) throws SQLException {
        return queryLong("SELECT (SELECT count(*) FROM (" + left + " EXCEPT ALL " + right + ")) + (SELECT count(*) FROM ("
                         + right + " EXCEPT ALL " + left + "))");
    }

    private long engineCount(String sql) throws SQLException {
        return queryLong("SELECT count(*) FROM (" + sql + ")");
    }

    private static String literal(Path file) {
        return "'" + file.toString().replace("'", "''") + "'";
    }

    @Test
    void csv_ndjson_and_parquet_read_back_with_duckdb_equal_the_result() throws Exception {
        try (WsClient ws = connect()) {
            JsonNode results = ws.runView("trip_weather_vw", QUESTION);
            String queryId = results.path("query_id").asText();
            long expected = engineCount(SAME_QUESTION_SQL);
            assertThat(results.path("total_rows").asLong()).isEqualTo(expected).isGreaterThan(1000);

            Path csv = dataDir().resolve("export.csv");
            HttpResponse<Path> response = download(export(ws, queryId, "csv").path("url").asText(), csv, null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/csv"));
            assertThat(response.headers().firstValue("Content-Disposition")).hasValueSatisfying(disposition ->
                    assertThat(disposition).matches("attachment; filename=\"TRIP_WEATHER_VW-\\d{8}T\\d{6}Z\\.csv\""));
            assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
            String text = Files.readString(csv);
            String[] lines = text.split("\r\n", 3);
            assertThat(lines[0]).isEqualTo("TRIPDURATION,STARTTIME,START_STATION_NAME,TEMP_AVG_C,BIRTH_YEAR,NAME");
            assertThat(lines[1]).startsWith(results.path("results").get(0).path("TRIPDURATION").asText() + ",");
            assertThat(text).endsWith("\r\n").doesNotContain("\n\n");
            assertThat(difference("SELECT * FROM read_csv(" + literal(csv) + ", header = true, all_varchar = true)",
                    "SELECT COLUMNS(*)::VARCHAR FROM (" + SAME_QUESTION_SQL + ")")).isZero();

            Path parquet = dataDir().resolve("export.parquet");
            response = download(export(ws, queryId, "parquet").path("url").asText(), parquet, "gzip");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Encoding")).as("Parquet is compressed already").isEmpty();
            assertThat(difference("SELECT * FROM read_parquet(" + literal(parquet) + ")", SAME_QUESTION_SQL))
                    .isZero();
            assertThat(queryLong("SELECT count(*) FROM read_parquet(" + literal(parquet) + ")")).isEqualTo(expected);

            Path ndjson = dataDir().resolve("export.ndjson");
            response = download(export(ws, queryId, "ndjson").path("url").asText(), ndjson, null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
            String first = Files.newBufferedReader(ndjson).readLine();
            JsonNode firstRow = WsClient.JSON.readTree(first);
            JsonNode pageRow = results.path("results").get(0);
            assertThat(firstRow.path("TRIPDURATION").isIntegralNumber()).isTrue();
            assertThat(firstRow.path("TRIPDURATION").asLong()).isEqualTo(pageRow.path("TRIPDURATION").asLong());
            assertThat(firstRow.path("STARTTIME").asText()).isEqualTo(pageRow.path("STARTTIME").asText());
            assertThat(difference("SELECT TRIPDURATION::INTEGER, STARTTIME::TIMESTAMP, START_STATION_NAME, "
                                  + "TEMP_AVG_C::DOUBLE, BIRTH_YEAR::INTEGER, NAME FROM read_json(" + literal(ndjson)
                                  + ", format = 'newline_delimited')", SAME_QUESTION_SQL)).isZero();
        }
    }

    @Test
    void csv_is_gzipped_for_a_client_that_accepts_it() throws Exception {
        try (WsClient ws = connect()) {
            String queryId = ws.runView("question_vw", "").path("query_id").asText();
            String url = export(ws, queryId, "csv").path("url").asText();
            Path plain = dataDir().resolve("plain.csv");
            Path zipped = dataDir().resolve("zipped.csv.gz");
            assertThat(download(url, plain, null).statusCode()).isEqualTo(200);
            HttpResponse<Path> response = download(url, zipped, "gzip, deflate");
            assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
            byte[] unzipped;
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(zipped)))) {
                unzipped = in.readAllBytes();
            }
            assertThat(unzipped).isEqualTo(Files.readAllBytes(plain));
            assertThat(new String(unzipped, StandardCharsets.UTF_8)).startsWith("id,big,price,ratio,flag,label,day,at,maybe\r\n")
                    .contains("\"a%b_7\"".replace("\"", "")).hasLineCount(201);
        }
    }

    @Test
    void an_empty_result_exports_its_header() throws Exception {
        try (WsClient ws = connect()) {
            String queryId = ws.runView("question_vw", ", \"filters\":{\"column\":\"id\",\"op\":\"lt\",\"value\":0}")
                    .path("query_id").asText();
            HttpResponse<byte[]> csv = get(export(ws, queryId, "csv").path("url").asText());
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(new String(csv.body(), StandardCharsets.UTF_8))
                    .isEqualTo("id,big,price,ratio,flag,label,day,at,maybe\r\n");
            Path parquet = dataDir().resolve("empty.parquet");
            assertThat(download(export(ws, queryId, "parquet").path("url").asText(), parquet, null).statusCode())
                    .isEqualTo(200);
            assertThat(queryLong("SELECT count(*) FROM read_parquet(" + literal(parquet) + ")")).isZero();
        }
    }

    @Test
    void a_link_works_for_its_result_only_and_until_it_expires() throws Exception {
        try (WsClient ws = connect()) {
            String queryId = ws.runView("question_vw", "").path("query_id").asText();
            JsonNode link = export(ws, queryId, "csv");
            String url = link.path("url").asText();
            assertThat(url).matches("/exports/[A-Za-z0-9_-]{1,64}");
            assertThat(get(url).statusCode()).isEqualTo(200);
            // never issued, altered, malformed: the same bare 404
            String token = url.substring("/exports/".length());
            String altered = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
            for (String other : new String[] {"/exports/" + altered, "/exports/AAAAAAAAAAAAAAAAAAAAAA",
                                              "/exports/" + token + "x", "/exports/..%2F..%2Fpom.xml",
                                              "/exports/" + queryId}) {
                HttpResponse<byte[]> response = get(other);
                assertThat(response.statusCode()).as(other).isEqualTo(404);
                assertThat(response.body()).as(other).isEmpty();
            }
            // after expires_at: 404, and the same body as a token never issued
            Instant expiresAt = Instant.parse(link.path("expires_at").asText());
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Instant.now().isAfter(expiresAt.plusMillis(200)));
            HttpResponse<byte[]> expired = get(url);
            assertThat(expired.statusCode()).isEqualTo(404);
            assertThat(expired.body()).isEmpty();
        }
    }

    @Test
    void export_checks_ownership_and_state_as_fetch_results_does() {
        try (WsClient owner = connect(); WsClient other = connect()) {
            String queryId = owner.runView("question_vw", "").path("query_id").asText();
            JsonNode foreign = other.request("{\"action\":\"export\",\"query_id\":\"" + queryId
                                             + "\",\"format\":\"csv\"}");
            assertThat(foreign.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            JsonNode unknown = owner.request("{\"action\":\"export\",\"query_id\":\"nope\",\"format\":\"csv\"}");
            assertThat(unknown.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            JsonNode format = owner.request("{\"action\":\"export\",\"query_id\":\"" + queryId
                                            + "\",\"format\":\"xlsx\"}");
            assertThat(format.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(format.path("message").asText()).contains("'format'");
            JsonNode missing = owner.request("{\"action\":\"export\",\"query_id\":\"" + queryId + "\"}");
            assertThat(missing.path("code").asText()).isEqualTo("BAD_REQUEST");

            owner.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\"}");
            owner.next("submitted");
            String running = owner.next("running").path("query_id").asText();
            JsonNode notFinished = owner.request("{\"action\":\"export\",\"query_id\":\"" + running
                                                 + "\",\"format\":\"csv\"}");
            assertThat(notFinished.path("code").asText()).isEqualTo("QUERY_NOT_FINISHED");
            owner.send("{\"action\":\"cancel\",\"query_id\":\"" + running + "\"}");
        }
    }

    /** A GET that reads the first bytes and then nothing more, on a socket with a small receive buffer. */
    private Socket stalledDownload(String url) throws IOException {
        return stalledDownload(port(), url);
    }

    /** A GET of a download that reads the response's head and then nothing more, holding its slot. */
    static Socket stalledDownload(int port, String url) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] head = socket.getInputStream().readNBytes(1024);
        assertThat(new String(head, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        return socket;
    }

    @Test
    void a_client_that_stops_reading_holds_one_slot_and_hurts_nobody_else() throws Exception {
        try (WsClient ws = connect()) {
            String bulky = ws.runView("bulky_vw", "").path("query_id").asText();
            String small = ws.runView("question_vw", "").path("query_id").asText();
            try (Socket stalled = stalledDownload(export(ws, bulky, "csv").path("url").asText())) {
                // another client downloads a whole export, and the WebSocket API answers, meanwhile
                HttpResponse<byte[]> other = get(export(ws, small, "csv").path("url").asText());
                assertThat(other.statusCode()).isEqualTo(200);
                assertThat(new String(other.body(), StandardCharsets.UTF_8)).hasLineCount(201);
                assertThat(ws.runView("question_vw", ", \"columns\":[\"id\"]").path("total_rows").asLong())
                        .isEqualTo(200);
                // both slots taken (api.export.max-concurrent = 2): one more is refused at once, not queued
                try (Socket second = stalledDownload(export(ws, bulky, "csv").path("url").asText())) {
                    HttpResponse<byte[]> refused = get(export(ws, small, "csv").path("url").asText());
                    assertThat(refused.statusCode()).isEqualTo(503);
                    assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
                    assertThat(refused.headers().firstValue("Content-Disposition")).isEmpty();
                }
                // a client that goes frees its slot
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                        .until(() -> get(export(ws, small, "csv").path("url").asText()).statusCode() == 200);
                try (Socket third = stalledDownload(export(ws, bulky, "csv").path("url").asText())) {
                    assertThat(get(export(ws, small, "csv").path("url").asText()).statusCode()).isEqualTo(503);
                    // one that stays but reads nothing is cut off at the stall limit (api.export.stall-timeout)
                    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                            .until(() -> get(export(ws, small, "csv").path("url").asText()).statusCode() == 200);
                }
            }
        }
        // every slice file the exports wrote is gone
        Path slices = dataDir().resolve("results.spill").resolve("exports");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            try (var files = Files.list(slices)) {
                return files.findAny().isEmpty();
            }
        });
    }
}
