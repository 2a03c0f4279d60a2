package io.warehouseapi;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Each class of bad input gets its documented error code, and the connection keeps working afterwards. */
class BadInputTest extends ApiTestSupport {

    private WsClient client;
    private String foreignQueryId;

    private WsClient client() {
        if (client == null) {
            client = connect();
        }
        return client;
    }

    @AfterAll
    void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    static Stream<Arguments> badRequests() {
        String longId = "x".repeat(65);
        return Stream.of(
                // not JSON, not an object
                Arguments.of("not JSON", "nope", "BAD_REQUEST"),
                Arguments.of("truncated JSON", "{\"action\":\"run_view\",\"view_name\":\"trip", "BAD_REQUEST"),
                Arguments.of("two JSON values", "{\"action\":\"list_views\"} {}", "BAD_REQUEST"),
                Arguments.of("a JSON array", "[{\"action\":\"list_views\"}]", "BAD_REQUEST"),
                Arguments.of("a JSON string", "\"run_view\"", "BAD_REQUEST"),
                Arguments.of("a JSON number", "42", "BAD_REQUEST"),
                Arguments.of("JSON null", "null", "BAD_REQUEST"),
                Arguments.of("a repeated key", "{\"action\":\"list_views\",\"action\":\"run_view\"}", "BAD_REQUEST"),
                Arguments.of("deep nesting", "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}", "BAD_REQUEST"),
                // action
                Arguments.of("no action", "{\"view_name\":\"trip_weather_vw\"}", "BAD_REQUEST"),
                Arguments.of("a null action", "{\"action\":null}", "BAD_REQUEST"),
                Arguments.of("a numeric action", "{\"action\":1}", "BAD_REQUEST"),
                Arguments.of("an unknown action", "{\"action\":\"drop_table\"}", "UNKNOWN_ACTION"),
                Arguments.of("an action in upper case", "{\"action\":\"RUN_VIEW\",\"view_name\":\"x\"}", "UNKNOWN_ACTION"),
                // fields missing or of the wrong type
                Arguments.of("run_view without view_name", "{\"action\":\"run_view\"}", "BAD_REQUEST"),
                Arguments.of("a null view_name", "{\"action\":\"run_view\",\"view_name\":null}", "BAD_REQUEST"),
                Arguments.of("a numeric view_name", "{\"action\":\"run_view\",\"view_name\":7}", "BAD_REQUEST"),
                Arguments.of("an array view_name", "{\"action\":\"run_view\",\"view_name\":[\"trip_weather_vw\"]}", "BAD_REQUEST"),
                Arguments.of("fetch_results without query_id", "{\"action\":\"fetch_results\",\"offset\":0}", "BAD_REQUEST"),
                Arguments.of("an object query_id", "{\"action\":\"fetch_results\",\"query_id\":{}}", "BAD_REQUEST"),
                Arguments.of("cancel without query_id", "{\"action\":\"cancel\"}", "BAD_REQUEST"),
                Arguments.of("query_status with a numeric query_id", "{\"action\":\"query_status\",\"query_id\":5}", "BAD_REQUEST"),
                // offsets
                Arguments.of("a negative offset", fetch("-1"), "BAD_REQUEST"),
                Arguments.of("a negative offset string", fetch("\"-1\""), "BAD_REQUEST"),
                Arguments.of("a fractional offset", fetch("1.5"), "BAD_REQUEST"),
                Arguments.of("an integral offset written with a fraction", fetch("100.0"), "BAD_REQUEST"),
                Arguments.of("an exponent offset", fetch("1e2"), "BAD_REQUEST"),
                Arguments.of("an offset of 2^53", fetch("9007199254740992"), "BAD_REQUEST"),
                Arguments.of("a huge offset", fetch("123456789012345678901234567890"), "BAD_REQUEST"),
                Arguments.of("a huge offset string", fetch("\"99999999999999999999\""), "BAD_REQUEST"),
                Arguments.of("an offset of other digits", fetch("\"\uff11\uff12\""), "BAD_REQUEST"),
                Arguments.of("an offset with a sign", fetch("\"+5\""), "BAD_REQUEST"),
                Arguments.of("an empty offset string", fetch("\"\""), "BAD_REQUEST"),
                Arguments.of("a boolean offset", fetch("true"), "BAD_REQUEST"),
                Arguments.of("SQL in offset", fetch("\"0; DROP TABLE trips\""), "BAD_REQUEST"),
                // page sizes
                Arguments.of("a zero page_size", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":0}", "BAD_REQUEST"),
                Arguments.of("a negative page_size", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":-5}", "BAD_REQUEST"),
                Arguments.of("a page_size over the maximum", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":1001}", "BAD_REQUEST"),
                Arguments.of("a huge page_size", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":99999999999999999999}", "BAD_REQUEST"),
                Arguments.of("a string page_size", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":\"10\"}", "BAD_REQUEST"),
                Arguments.of("a fractional page_size", "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"page_size\":2.5}", "BAD_REQUEST"),
                // request ids
                Arguments.of("an empty request_id", "{\"action\":\"list_views\",\"request_id\":\"\"}", "BAD_REQUEST"),
                Arguments.of("a request_id of 65 characters", "{\"action\":\"list_views\",\"request_id\":\"" + longId + "\"}", "BAD_REQUEST"),
                Arguments.of("a numeric request_id", "{\"action\":\"list_views\",\"request_id\":42}", "BAD_REQUEST"),
                Arguments.of("a request_id that is not ASCII", "{\"action\":\"list_views\",\"request_id\":\"r\u00e9\"}", "BAD_REQUEST"),
                Arguments.of("a request_id with a control character", "{\"action\":\"list_views\",\"request_id\":\"a\\u0000b\"}", "BAD_REQUEST"),
                // unknown query ids, SQL in query ids
                Arguments.of("an unknown query id", "{\"action\":\"fetch_results\",\"query_id\":\"01bf3c2e-0000-4f3a-9d1e-7c2a5b8e9f10\"}", "QUERY_NOT_FOUND"),
                Arguments.of("status of an unknown query id", "{\"action\":\"query_status\",\"query_id\":\"nope\"}", "QUERY_NOT_FOUND"),
                Arguments.of("cancel of an unknown query id", "{\"action\":\"cancel\",\"query_id\":\"nope\"}", "QUERY_NOT_FOUND"),
                Arguments.of("SQL in query_id", "{\"action\":\"fetch_results\",\"query_id\":\"x' OR '1'='1\"}", "QUERY_NOT_FOUND"),
                Arguments.of("a RESULT_SCAN in query_id", "{\"action\":\"fetch_results\",\"query_id\":\"'); DROP TABLE trips; --\"}", "QUERY_NOT_FOUND"));
    }

    private static String fetch(String offset) {
        return "{\"action\":\"fetch_results\",\"query_id\":\"q\",\"offset\":" + offset + "}";
    }

    static Stream<String> missingViews() {
        return Stream.of(
                "no_such_view", "trips", "weather", "sample_info", "duckdb_tables", "information_schema.tables",
                "main.trip_weather_vw", "\\\"trip_weather_vw\\\"", " trip_weather_vw", "trip_weather_vw ",
                "trip_weather_vw; DROP TABLE trips; --", "trip_weather_vw\\\" UNION SELECT * FROM trips --",
                "(SELECT * FROM trips)", "read_csv('/etc/passwd')", "", "trip_weather_vw\\u0000",
                "trip_weather_v\u00e9", "TRIP_WEATHER_VW_", "*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void a_bad_request_gets_its_error_code_and_the_connection_keeps_working(String name, String frame, String code) {
        WsClient ws = client();
        JsonNode reply = ws.request(frame);
        assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("error");
        assertThat(reply.path("code").asText()).as(reply.toString()).isEqualTo(code);
        assertThat(reply.path("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("SELECT");
        assertThat(reply.has("request_id")).as("an invalid request carries no request id to echo").isFalse();
        assertStillWorks(ws);
    }

    @ParameterizedTest(name = "view_name [{0}]")
    @MethodSource("missingViews")
    void a_view_name_that_is_not_an_exposed_view_is_view_not_found(String viewName) throws Exception {
        WsClient ws = client();
        ws.send("{\"action\":\"run_view\",\"view_name\":\"" + viewName + "\",\"request_id\":\"v\"}");
        ws.next("submitted");
        JsonNode reply = ws.next("error");
        assertThat(reply.path("code").asText()).isEqualTo("VIEW_NOT_FOUND");
        assertThat(reply.path("message").asText()).isEqualTo("No view of that name is exposed by this API.");
        assertThat(reply.path("request_id").asText()).isEqualTo("v");
        assertStillWorks(ws);
        assertThat(queryLong("SELECT count(*) FROM trips")).isEqualTo(tripCount());
    }

    @Test
    void a_valid_request_id_is_echoed_on_an_error() {
        JsonNode reply = client().request("{\"action\":\"fetch_results\",\"query_id\":\"nope\",\"request_id\":\"e-1\"}");
        assertThat(reply.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
        assertThat(reply.path("request_id").asText()).isEqualTo("e-1");
        JsonNode bad = client().request("{\"action\":\"fetch_results\",\"query_id\":\"q\",\"offset\":-1,\"request_id\":\"e-2\"}");
        assertThat(bad.path("code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(bad.path("request_id").asText()).isEqualTo("e-2");
    }

    @Test
    void another_connections_query_id_is_query_not_found_for_every_action() {
        try (WsClient owner = connect(); WsClient other = connect()) {
            String queryId = owner.runView("trip_weather_vw", "").path("query_id").asText();
            List<JsonNode> replies = new ArrayList<>();
            replies.add(other.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\"}"));
            replies.add(other.request("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}"));
            replies.add(other.request("{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}"));
            String neverIssued = queryId.replace('-', '0');
            JsonNode unknown = other.request("{\"action\":\"fetch_results\",\"query_id\":\"" + neverIssued + "\"}");
            for (JsonNode reply : replies) {
                // exactly the reply an id that never existed gets, but for the id echoed back
                assertThat(reply.toString().replace(queryId, neverIssued)).isEqualTo(unknown.toString());
                assertThat(reply.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            }
            // the owner still reads it
            JsonNode page = owner.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":100}");
            assertThat(page.path("type").asText()).isEqualTo("results");
            assertThat(page.path("offset").asLong()).isEqualTo(100);
        }
    }

    @Test
    void a_binary_frame_closes_the_connection_with_1003() {
        try (WsClient ws = connect()) {
            ws.sendBinary(new byte[] {1, 2, 3});
            assertThat(ws.awaitClose()).isEqualTo(1003);
        }
        assertStillWorks(client());
    }

    @Test
    void a_message_over_the_frame_limit_closes_the_connection_with_1009() {
        try (WsClient ws = connect()) {
            ws.send("{\"action\":\"list_views\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(ws.awaitClose()).isEqualTo(1009);
        }
        assertStillWorks(client());
    }

    private static void assertStillWorks(WsClient ws) {
        JsonNode views = ws.request("{\"action\":\"list_views\",\"request_id\":\"still-there\"}");
        assertThat(views.path("type").asText()).isEqualTo("views");
        assertThat(views.path("request_id").asText()).isEqualTo("still-there");
    }
}
