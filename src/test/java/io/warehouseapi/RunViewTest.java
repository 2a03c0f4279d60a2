package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** run_view and fetch_results end to end: a real WebSocket on loopback against the real DuckDB file. */
class RunViewTest extends ApiTestSupport {

    private static final List<String> VIEW_COLUMNS = List.of(
            "TRIPDURATION", "STARTTIME", "STOPTIME", "START_STATION_ID", "START_STATION_NAME",
            "START_STATION_LATITUDE", "START_STATION_LONGITUDE", "END_STATION_ID", "END_STATION_NAME",
            "END_STATION_LATITUDE", "END_STATION_LONGITUDE", "BIKEID", "NAME", "USERTYPE", "BIRTH_YEAR",
            "GENDER", "OBSERVATION_TIME", "CITY_ID", "CITY_NAME", "COUNTRY", "CITY_LAT", "CITY_LON", "CLOUDS",
            "TEMP_AVG_C", "TEMP_MIN_C", "TEMP_MAX_C", "TEMP_AVG_F", "TEMP_MIN_F", "TEMP_MAX_F", "WEATHER_ID",
            "WEATHER", "WEATHER_DESC", "WEATHER_ICON", "WIND_DIR", "WIND_SPEED");

    @Test
    void run_view_replies_submitted_running_then_the_first_page_of_100_typed_rows() throws Exception {
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"}");
            String submitted = client.nextText(WsClient.TIMEOUT);
            assertThat(submitted).isEqualTo("{\"type\":\"submitted\",\"message\":\"Request submitted. Please wait...\"}");
            String runningText = client.nextText(WsClient.TIMEOUT);
            assertThat(runningText.length()).as("the original client takes a message over 100 characters for results")
                    .isLessThan(100);
            JsonNode running = WsClient.parse(runningText);
            assertThat(running.path("type").asText()).isEqualTo("running");
            String queryId = running.path("query_id").asText();
            assertThat(queryId).isNotBlank();

            JsonNode results = client.next("results");
            assertThat(results.path("query_id").asText()).isEqualTo(queryId);
            assertThat(results.path("offset").isIntegralNumber()).isTrue();
            assertThat(results.path("offset").asLong()).isZero();
            assertThat(results.path("page_size").asInt()).isEqualTo(100);
            assertThat(results.path("row_count").asInt()).isEqualTo(100);
            assertThat(results.path("total_rows").isIntegralNumber()).isTrue();
            assertThat(results.path("total_rows").asLong()).isEqualTo(queryLong("SELECT count(*) FROM trip_weather_vw"))
                    .isEqualTo(tripCount());
            assertThat(results.toString().length()).isGreaterThan(100);

            List<String> columns = new ArrayList<>();
            results.path("columns").forEach(column -> columns.add(column.path("name").asText()));
            assertThat(columns).containsExactlyElementsOf(VIEW_COLUMNS);
            // the warehouse's own type names: DuckDB's or Snowflake's
            assertThat(results.path("columns").get(0).path("type").asText()).matches("INTEGER|NUMBER\\(\\d+,0\\)");
            assertThat(results.path("columns").get(1).path("type").asText()).matches("TIMESTAMP|TIMESTAMP_NTZ");

            JsonNode rows = results.path("results");
            assertThat(rows.size()).isEqualTo(100);
            for (JsonNode row : rows) {
                List<String> keys = new ArrayList<>();
                row.fieldNames().forEachRemaining(keys::add);
                assertThat(keys).containsExactlyElementsOf(VIEW_COLUMNS);
                assertThat(row.path("TRIPDURATION").isIntegralNumber()).isTrue();
                assertThat(row.path("TRIPDURATION").asInt()).isGreaterThanOrEqualTo(60);
                assertThat(row.path("STARTTIME").asText()).matches("2018-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
                assertThat(row.path("START_STATION_LATITUDE").isNumber()).isTrue();
                assertThat(row.path("START_STATION_LATITUDE").asDouble()).isBetween(40.6, 40.9);
                assertThat(row.path("USERTYPE").asText()).isIn("Subscriber", "Customer");
                assertThat(row.path("CITY_ID").asInt()).isEqualTo(5128638);
                assertThat(row.path("TEMP_AVG_F").asDouble())
                        .isCloseTo(row.path("TEMP_AVG_C").asDouble() * 9 / 5 + 32, org.assertj.core.data.Offset.offset(0.02));
                assertThat(row.path("BIRTH_YEAR").isIntegralNumber() || row.path("BIRTH_YEAR").isNull()).isTrue();
            }
        }
    }

    @Test
    void fetch_results_walks_the_whole_result_with_no_gap_no_overlap_and_an_empty_page_past_the_end() throws Exception {
        try (WsClient client = connect()) {
            JsonNode first = client.runView("TRIP_WEATHER_VW", ",\"page_size\":1000");
            String queryId = first.path("query_id").asText();
            long total = first.path("total_rows").asLong();
            List<String> keys = new ArrayList<>();
            addKeys(first, keys);
            long offset = first.path("row_count").asLong();
            int page = 0;
            while (offset < total) {
                // the offset alternates between a JSON number and a string of digits, as the original client sends
                String offsetField = page++ % 2 == 0 ? "\"" + offset + "\"" : Long.toString(offset);
                JsonNode results = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                                  + "\",\"offset\":" + offsetField + ",\"page_size\":1000}");
                assertThat(results.path("type").asText()).isEqualTo("results");
                assertThat(results.path("offset").asLong()).isEqualTo(offset);
                assertThat(results.path("row_count").asLong()).isEqualTo(Math.min(1000, total - offset));
                assertThat(results.path("total_rows").asLong()).isEqualTo(total);
                addKeys(results, keys);
                offset += results.path("row_count").asLong();
            }
            List<String> expected = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT strftime(STARTTIME, '%Y-%m-%dT%H:%M:%S') || '|' "
                                                       + "|| BIKEID || '|' || TRIPDURATION || '|' || START_STATION_ID FROM trip_weather_vw")) {
                while (rs.next()) {
                    expected.add(rs.getString(1));
                }
            }
            assertThat(keys).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);

            JsonNode pastEnd = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                              + "\",\"offset\":" + total + "}");
            assertThat(pastEnd.path("type").asText()).isEqualTo("results");
            assertThat(pastEnd.path("row_count").asInt()).isZero();
            assertThat(pastEnd.path("results").isArray()).isTrue();
            assertThat(pastEnd.path("results").size()).isZero();
            JsonNode farPastEnd = client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId
                                                 + "\",\"offset\":\"9007199254740991\"}");
            assertThat(farPastEnd.path("results").size()).isZero();
            assertThat(farPastEnd.path("offset").asLong()).isEqualTo(9007199254740991L);
        }
    }

    @Test
    void request_id_is_echoed_on_every_reply_and_progress_is_reported_only_with_one() {
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"request_id\":\"r-42\",\"page_size\":5}");
            assertThat(client.next("submitted").path("request_id").asText()).isEqualTo("r-42");
            assertThat(client.next("running").path("request_id").asText()).isEqualTo("r-42");
            JsonNode results = client.await("results");
            assertThat(results.path("request_id").asText()).isEqualTo("r-42");
            assertThat(results.path("row_count").asInt()).isEqualTo(5);

            JsonNode status = client.request("{\"action\":\"query_status\",\"query_id\":\""
                                              + results.path("query_id").asText() + "\",\"request_id\":\"s-1\"}");
            assertThat(status.path("type").asText()).isEqualTo("status");
            assertThat(status.path("status").asText()).isEqualTo("SUCCESS");
            assertThat(status.path("request_id").asText()).isEqualTo("s-1");
        }
    }

    @Test
    void list_views_names_the_exposed_views_with_their_columns() {
        try (WsClient client = connect()) {
            JsonNode views = client.request("{\"action\":\"list_views\"}");
            assertThat(views.path("type").asText()).isEqualTo("views");
            JsonNode tripWeather = null;
            List<String> names = new ArrayList<>();
            for (JsonNode view : views.path("views")) {
                names.add(view.path("name").asText());
                if ("TRIP_WEATHER_VW".equals(view.path("name").asText())) {
                    tripWeather = view;
                }
            }
            assertThat(names).contains("TRIP_WEATHER_VW", "WEATHER_VW").doesNotContain("TRIPS", "WEATHER");
            assertThat(tripWeather).isNotNull();
            List<String> columns = new ArrayList<>();
            tripWeather.path("columns").forEach(c -> columns.add(c.path("name").asText()));
            assertThat(columns).containsExactlyElementsOf(VIEW_COLUMNS);
        }
    }

    @Test
    void values_keep_their_json_types() {
        try (WsClient client = connect()) {
            client.send("{\"action\":\"run_view\",\"view_name\":\"types_vw\"}");
            client.next("submitted");
            client.next("running");
            String raw = client.nextText(WsClient.TIMEOUT);
            // decimals keep every digit, as written by the engine
            assertThat(raw).contains("\"a_decimal\":12.5000,").contains("\"a_wide_decimal\":123456789012345678.123456789,");
            JsonNode row = WsClient.parse(raw).path("results").get(0);
            assertThat(row.path("an_integer").isIntegralNumber()).isTrue();
            assertThat(row.path("an_integer").asInt()).isEqualTo(42);
            assertThat(row.path("a_bigint").bigIntegerValue()).isEqualTo(new java.math.BigInteger("9007199254740993"));
            assertThat(row.path("a_decimal").isNumber()).isTrue();
            assertThat(row.path("a_decimal").decimalValue()).isEqualByComparingTo("12.5");
            assertThat(row.path("a_double").asDouble()).isEqualTo(0.25);
            assertThat(row.path("a_boolean").isBoolean()).isTrue();
            assertThat(row.path("a_string").asText()).isEqualTo("naïve \"quoted\" text");
            assertThat(row.path("a_null").isNull()).isTrue();
            assertThat(row.path("a_date").asText()).isEqualTo("2018-04-25");
            assertThat(row.path("a_timestamp").asText()).isEqualTo("2018-04-25T16:10:00");
            assertThat(row.path("a_json").path("city").path("id").asInt()).isEqualTo(5128638);
            assertThat(row.path("a_json").path("tags").get(1).asText()).isEqualTo("b");
            assertThat(row.path("a_list").isArray()).isTrue();
            assertThat(row.path("a_list").get(2).asInt()).isEqualTo(3);
            assertThat(row.path("a_struct").path("slots").asInt()).isEqualTo(19);
            // bytes as base64 (0xCAFE), never the engine's object
            assertThat(row.path("a_blob").asText()).isEqualTo("yv4=");
            assertThat(row.path("a_time").asText()).isEqualTo("10:30:15.25");
        }
    }

    private static void addKeys(JsonNode results, List<String> keys) {
        for (JsonNode row : results.path("results")) {
            keys.add(row.path("STARTTIME").asText() + "|" + row.path("BIKEID").asText() + "|"
                     + row.path("TRIPDURATION").asText() + "|" + row.path("START_STATION_ID").asText());
        }
    }
}
