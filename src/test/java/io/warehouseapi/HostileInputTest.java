package io.warehouseapi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hostile-input suite generated from the protocol's fields: every field with every wrong type, every truncation of
 * a valid frame, deep nesting, huge numbers, unicode and NUL, SQL injection and quoting tricks in every field, names
 * of tables and system views that are not exposed, another client's query ids, binary and oversized frames, and a
 * flood. Each case gets its documented reply on a connection that stays usable; afterwards the engine's own query log
 * (DuckDB's QueryLog) shows that no statement ran on anything but the exposed views and the API's own store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest extends ApiTestSupport {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> INJECTIONS = List.of(
            "trip_weather_vw; DROP TABLE trips; --", "trip_weather_vw\" UNION SELECT * FROM trips --",
            "' OR '1'='1", "\" OR \"\"=\"", "x'); DROP TABLE trips; --", "(SELECT * FROM trips)",
            "read_csv('/etc/passwd')", "trips", "weather", "sample_info", "duckdb_tables", "duckdb_settings()",
            "information_schema.tables", "pg_catalog.pg_class", "sqlite_master", "main.trips", "results.main.x",
            "trip_weather_vw\u0000", "trip_weather_vw\u0000; DROP TABLE trips", "\u202etrip_weather_vw",
            "tr\u0131p_weather_vw", "TR\u0130P_WEATHER_VW", "trip_weather_v\u212a", "ＴＲＩＰ_ＷＥＡＴＨＥＲ_ＶＷ", "trip_weather_vw/*", "*", "%", "..", "\\", "`trips`",
            "[trips]", "$$trips$$", "COPY trips TO '/tmp/x.csv'", "ATTACH '/tmp/evil.duckdb'", "1; SELECT 1",
            "🚲".repeat(100), "a".repeat(10_000));
    private static final List<JsonNode> WRONG_TYPES = List.of(
            NODES.numberNode(1), NODES.numberNode(-1), NODES.numberNode(1.5),
            NODES.numberNode(new java.math.BigInteger("9".repeat(400))), NODES.numberNode(new java.math.BigDecimal("1e400")),
            NODES.booleanNode(true), NODES.arrayNode().add("trip_weather_vw"), NODES.objectNode().put("a", 1));
    private static final String[] ACTIONS = {"run_view", "fetch_results", "cancel", "query_status", "list_views"};

    private final List<String> failures = new ArrayList<>();
    private int cases;
    private WsClient ws;
    private String othersQueryId;

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        // a slow refill, so that the flood outruns it however long sending 3,000 frames takes on a busy machine
        // (the cases on the main connection stay well inside the burst of 2,000)
        properties.setProperty("api.rate.per-second", "50");
    }

    /** Runs the generated cases once, from the first test, after the application has started. */
    private void runOnce() throws Exception {
        if (ws != null) {
            return;
        }
        ws = connect();
        try (WsClient other = connect()) {
            // an id that another live connection owns
            othersQueryId = other.runView("weather_vw", "").path("query_id").asText();
            runCases();
        }
    }

    @AfterAll
    void closeClient() {
        if (ws != null) {
            ws.close();
        }
    }

    private void runCases() {
        Map<String, String> expected = new LinkedHashMap<>();
        // every field of every action with every wrong type
        Map<String, String[]> fields = Map.of(
                "run_view", new String[] {"view_name", "page_size", "request_id", "action"},
                "fetch_results", new String[] {"query_id", "offset", "page_size", "request_id"},
                "cancel", new String[] {"query_id", "request_id"},
                "query_status", new String[] {"query_id", "request_id"},
                "list_views", new String[] {"request_id"},
                "auth", new String[] {"token", "request_id"});
        fields.forEach((action, names) -> {
            for (String field : names) {
                for (JsonNode wrong : WRONG_TYPES) {
                    ObjectNode request = valid(action);
                    request.set(field, wrong);
                    if (field.equals("page_size") && wrong.isIntegralNumber() && wrong.canConvertToInt()
                        && wrong.intValue() == 1) {
                        continue; // a valid page size
                    }
                    if (field.equals("offset") && wrong.isIntegralNumber() && wrong.canConvertToLong()
                        && wrong.longValue() == 1) {
                        continue; // a valid offset
                    }
                    expected.put(request.toString(), "BAD_REQUEST");
                }
            }
        });
        // SQL injection and quoting tricks, unicode and NUL, unexposed names, in every string field
        for (String payload : INJECTIONS) {
            expected.put(valid("run_view").put("view_name", payload).toString(), "VIEW_NOT_FOUND");
            for (String action : new String[] {"fetch_results", "cancel", "query_status"}) {
                expected.put(valid(action).put("query_id", payload).toString(), "QUERY_NOT_FOUND");
            }
            expected.put(valid("fetch_results").put("offset", payload).toString(), "BAD_REQUEST");
            expected.put(valid("run_view").put("page_size", payload).toString(), "BAD_REQUEST");
            if (!payload.matches("[\\x20-\\x7e]{1,64}")) {
                // a request id of 1 to 64 printable ASCII characters is valid, whatever it says
                expected.put(valid("list_views").put("request_id", payload).toString(), "BAD_REQUEST");
            }
            expected.put(NODES.objectNode().put("action", payload).toString(), "UNKNOWN_ACTION");
        }
        // huge and odd numbers for offset and page_size
        for (String number : new String[] {"-1", "1.0", "1e3", "9007199254740992", "1" + "0".repeat(30), "-0.5",
                "0x10", "\"1e3\"", "\"-1\"", "\"+1\"", "\" 1\"", "\"١٢\"", "\"9007199254740992\""}) {
            expected.put("{\"action\":\"fetch_results\",\"query_id\":\"q\",\"offset\":" + number + "}", "BAD_REQUEST");
        }
        for (String number : new String[] {"0", "-1", "1001", "1.5", "1e2", "\"10\"", "2147483648"}) {
            expected.put("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"page_size\":" + number + "}",
                    "BAD_REQUEST");
        }
        // malformed and truncated JSON: every proper prefix of a valid frame
        String frame = valid("fetch_results").put("offset", "100").put("page_size", 10).toString();
        for (int i = 1; i < frame.length(); i++) {
            expected.put(frame.substring(0, i), "BAD_REQUEST");
        }
        for (String bad : new String[] {"[]", "\"run_view\"", "42", "null", "true", "{\"action\":\"list_views\"}{}",
                "{\"action\":\"list_views\",\"action\":\"run_view\"}", "{'action':'list_views'}",
                "{\"action\":\"list_views\",}", "\uFEFF{\"action\":\"list_views\"", "{\"action\":\"list_views\u0000\"}",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000), " ", "\u0000"}) {
            expected.put(bad, "BAD_REQUEST");
        }
        // another client's query id, for every action that takes one
        for (String action : new String[] {"fetch_results", "cancel", "query_status"}) {
            expected.put(valid(action).put("query_id", othersQueryId).toString(), "QUERY_NOT_FOUND");
            expected.put(valid(action).put("query_id", othersQueryId.toUpperCase()).toString(), "QUERY_NOT_FOUND");
            expected.put(valid(action).put("query_id", othersQueryId + " ").toString(), "QUERY_NOT_FOUND");
        }
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            cases++;
            JsonNode reply = ws.request(entry.getKey());
            if ("submitted".equals(reply.path("type").asText())) {
                reply = ws.next(); // run_view is acknowledged first, then answered
            }
            String code = reply.path("code").asText();
            if (!"error".equals(reply.path("type").asText()) || !entry.getValue().equals(code)) {
                failures.add(abbreviate(entry.getKey()) + " -> " + WsClient.abbreviate(reply) + " (expected "
                             + entry.getValue() + ")");
            }
            String message = reply.path("message").asText();
            if (message.contains("Exception") || message.contains("SELECT") || message.contains("DROP")) {
                failures.add(abbreviate(entry.getKey()) + " leaked: " + WsClient.abbreviate(reply));
            }
        }
    }

    private static ObjectNode valid(String action) {
        ObjectNode request = NODES.objectNode().put("action", action);
        switch (action) {
            case "run_view" -> request.put("view_name", "weather_vw");
            case "fetch_results", "cancel", "query_status" -> request.put("query_id", "no-such-query");
            case "auth" -> request.put("token", "t");
            default -> {
            }
        }
        return request;
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }

    @Test
    @Order(1)
    void at_least_200_generated_cases_each_get_their_documented_reply() throws Exception {
        runOnce();
        assertThat(cases).isGreaterThanOrEqualTo(200);
        assertThat(failures).isEmpty();
        JsonNode views = ws.request("{\"action\":\"list_views\",\"request_id\":\"after\"}");
        assertThat(views.path("type").asText()).as("the connection is still usable").isEqualTo("views");
    }

    @Test
    @Order(2)
    void binary_and_oversized_frames_close_their_connection_and_the_server_stays_up() throws Exception {
        runOnce();
        for (int i = 0; i < 5; i++) {
            try (WsClient bin = connect()) {
                bin.sendBinary(new byte[] {0, (byte) i, (byte) 0xff});
                assertThat(bin.awaitClose()).isEqualTo(1003);
            }
            try (WsClient big = connect()) {
                big.send("{\"action\":\"run_view\",\"view_name\":\"" + "x".repeat(65_536 + i * 1000) + "\"}");
                assertThat(big.awaitClose()).isEqualTo(1009);
            }
        }
        assertThat(httpStatus("/observe/health/live")).isEqualTo(200);
        assertThat(ws.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
    }

    @Test
    @Order(3)
    void a_flood_is_answered_in_full_with_too_many_requests_beyond_the_burst() throws Exception {
        runOnce();
        try (WsClient flood = connect()) {
            int sent = 3000;
            for (int i = 0; i < sent; i++) {
                flood.send("{\"action\":\"query_status\",\"query_id\":\"q" + i + "\"}");
            }
            Map<String, Integer> codes = new LinkedHashMap<>();
            for (int i = 0; i < sent; i++) {
                codes.merge(flood.next().path("code").asText(), 1, Integer::sum);
            }
            assertThat(codes.keySet()).containsOnly("QUERY_NOT_FOUND", "TOO_MANY_REQUESTS");
            assertThat(codes.get("TOO_MANY_REQUESTS")).isPositive();
            assertThat(codes.values().stream().mapToInt(Integer::intValue).sum()).as("no reply lost").isEqualTo(sent);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "views".equals(flood.request("{\"action\":\"list_views\"}").path("type").asText()));
        }
    }

    @Test
    @Order(4)
    void the_engines_query_log_shows_statements_on_exposed_views_only() throws Exception {
        runOnce();
        List<String> statements = engineQueryLog();
        assertThat(statements).as("the query log is on").isNotEmpty();
        Pattern source = Pattern.compile(
                "(?i)\\bFROM\\s+((?:\"[^\"]+\"|[a-z_][a-z0-9_]*)(?:\\.(?:\"[^\"]+\"|[a-z_][a-z0-9_]*))*(?:\\(\\))?)");
        List<String> apiStatements = statements.stream()
                .filter(s -> !s.contains("duckdb_logs") && !s.startsWith("CALL enable_logging")).toList();
        for (String sql : apiStatements) {
            for (String payload : INJECTIONS) {
                if (payload.length() >= 5 && !payload.equals("trips") && !payload.equals("weather")) {
                    assertThat(sql).as("a payload reached the engine").doesNotContain(payload);
                }
            }
            Matcher from = source.matcher(sql);
            while (from.find()) {
                String object = from.group(1);
                assertThat(object).as("in: " + sql).matches(
                        "(?i)\"main\"\\.\"(TRIP_WEATHER_VW|WEATHER_VW|FAILING_VW|SLOW_VW|TYPES_VW|SLEEPY_VW)\""
                        + "|\"results\"\\.\"?main\"?\\.\"q_[0-9a-f_]+\"|duckdb_views\\(\\)|duckdb_columns\\(\\)"
                        + "|information_schema\\.columns|duckdb_tables\\(\\)|range\\(.*|v|c");
            }
        }
        assertThat(apiStatements).anyMatch(s -> s.toUpperCase(java.util.Locale.ROOT).contains("SELECT * FROM \"MAIN\".\"WEATHER_VW\""));
    }
}
