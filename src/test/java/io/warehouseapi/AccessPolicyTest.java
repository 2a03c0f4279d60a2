package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who sees what ({@code api.access.policies-file}), end to end on the embedded warehouse with API keys whose listed
 * attributes are their principals' security contexts: hidden views and columns, a rows filter from a claim that a
 * client cannot widen, roles combined, a missing or unfitting claim, sharing scoped by the effective question, an
 * export scoped as its query, and the file's changes picked up live (a broken one kept out). Every count is compared
 * with the same question asked of the engine directly, the policy written out by hand.
 */
class AccessPolicyTest extends ApiTestSupport {

    private static final String ALICE = "alice-key-0123456789abcdefghij";
    private static final String PAT = "pat-key-0123456789abcdefghijklm";
    private static final String QUINN = "quinn-key-0123456789abcdefghijk";
    private static final String RITA = "rita-key-0123456789abcdefghijkl";
    private static final String SAM = "sam-key-0123456789abcdefghijklm";
    private static final String NO_CLAIM = "noclaim-key-0123456789abcdefghij";
    private static final String WRONG_TYPE = "wrongtype-key-0123456789abcdefgh";
    private static final String HOSTILE = "hostile-key-0123456789abcdefghij";
    private static final String NOBODY = "nobody-key-0123456789abcdefghijk";
    private static final String PAT_STATIONS = stations(100, 150);
    private static final String RITA_STATIONS = stations(150, 200);
    private static final String PARTNER_COLUMNS =
            "[STARTTIME, STOPTIME, START_STATION_NAME, END_STATION_NAME, TRIPDURATION, USERTYPE]";
    private static final String POLICIES = """
            roles_claim: roles
            roles:
              analyst:
                views:
                  TRIP_WEATHER_VW: {}
                  WEATHER_VW: {}
              partner:
                snowflake_role: PARTNER_READER
                views:
                  TRIP_WEATHER_VW:
                    columns: %s
                    rows: {"column": "START_STATION_ID", "op": "in", "claim": "stations"}
              subscribers:
                snowflake_role: PARTNER_READER
                views:
                  TRIP_WEATHER_VW:
                    columns: [USERTYPE, BIKEID]
                    rows: {"column": "USERTYPE", "op": "eq", "value": "Subscriber"}
            """.formatted(PARTNER_COLUMNS);

    protected static final String PAT_KEY = PAT;
    protected static final String ALICE_KEY = ALICE;
    private Path policies;

    @Override
    protected void overrideProperties(Properties properties) {
        try {
            Path keys = filesDir().resolve("api-keys.txt");
            Files.writeString(keys, String.join("\n",
                    "alice:" + ALICE + " {\"roles\":[\"analyst\"]}",
                    "pat:" + PAT + " {\"roles\":\"partner\",\"stations\":" + PAT_STATIONS + "}",
                    "quinn:" + QUINN + " {\"roles\":[\"partner\"],\"stations\":" + PAT_STATIONS + "}",
                    "rita:" + RITA + " {\"roles\":\"partner\",\"stations\":" + RITA_STATIONS + "}",
                    "sam:" + SAM + " {\"roles\":[\"partner\",\"subscribers\"],\"stations\":" + RITA_STATIONS + "}",
                    "noclaim:" + NO_CLAIM + " {\"roles\":\"partner\"}",
                    "wrongtype:" + WRONG_TYPE + " {\"roles\":\"partner\",\"stations\":[\"Central Park\"]}",
                    "hostile:" + HOSTILE + " {\"roles\":\"partner\",\"stations\":\"1) OR (1=1\"}",
                    "nobody:" + NOBODY) + "\n", StandardCharsets.UTF_8);
            policies = filesDir().resolve("policies.yaml");
            Files.writeString(policies, POLICIES, StandardCharsets.UTF_8);
            properties.setProperty("api.auth.mode", "token");
            properties.setProperty("api.auth.tokens-file", keys.toString());
            properties.setProperty("api.access.policies-file", policies.toString());
            properties.setProperty("api.access.reload-interval", "200");
            // the test reads an export back with DuckDB in this process, whose engine reads files only where allowed
            properties.setProperty("warehouse.embedded.allowed-directories", dataDir().toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stations(int from, int to) {
        return IntStream.range(from, to).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private static String inList(String stations) {
        return stations.substring(1, stations.length() - 1);
    }

    protected WsClient signedIn(String key) {
        WsClient ws = connect();
        JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + key + "\"}");
        assertThat(reply.path("type").asText()).as("%s", reply).isEqualTo("authenticated");
        return ws;
    }

    /** The error a run_view is answered with, after its submitted reply. */
    private static JsonNode refused(WsClient ws, String runView) {
        ws.send(runView);
        ws.next("submitted");
        return ws.next("error");
    }

    private long engineCount(String where) throws Exception {
        return queryLong("SELECT count(*) FROM trip_weather_vw WHERE " + where);
    }

    private static List<String> viewNames(JsonNode views) {
        List<String> names = new ArrayList<>();
        views.path("views").forEach(view -> names.add(view.path("name").asText()));
        return names;
    }

    private static List<String> columnNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.path("columns").forEach(column -> names.add(column.path("name").asText()));
        return names;
    }

    @Test
    void a_partner_sees_only_its_view_its_columns_and_its_stations_rows() throws Exception {
        try (WsClient pat = signedIn(PAT)) {
            JsonNode views = pat.request("{\"action\":\"list_views\"}");
            assertThat(viewNames(views)).containsExactly("TRIP_WEATHER_VW");
            assertThat(columnNames(views.path("views").get(0))).containsExactly("TRIPDURATION", "STARTTIME",
                    "STOPTIME", "START_STATION_NAME", "END_STATION_NAME", "USERTYPE");

            JsonNode hidden = refused(pat, "{\"action\":\"run_view\",\"view_name\":\"weather_vw\"}");
            assertThat(hidden.path("code").asText()).as("%s", hidden).isEqualTo("VIEW_NOT_FOUND");

            long expected = engineCount("START_STATION_ID IN (" + inList(PAT_STATIONS) + ")");
            assertThat(expected).isPositive().isLessThan(tripCount());
            JsonNode whole = pat.runView("trip_weather_vw", "");
            assertThat(whole.path("total_rows").asLong()).isEqualTo(expected);
            assertThat(columnNames(whole)).containsExactly("TRIPDURATION", "STARTTIME", "STOPTIME",
                    "START_STATION_NAME", "END_STATION_NAME", "USERTYPE");
            assertThat(whole.path("results").get(0).has("START_STATION_ID")).isFalse();

            // a client's or and not stay inside the policy's filter
            JsonNode widened = pat.runView("trip_weather_vw", ",\"filters\":{\"or\":["
                    + "{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":0},"
                    + "{\"not\":{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":0}},"
                    + "{\"column\":\"TRIPDURATION\",\"op\":\"is_null\"}]}");
            assertThat(widened.path("total_rows").asLong()).isEqualTo(expected);
            JsonNode narrowed = pat.runView("trip_weather_vw",
                    ",\"filters\":{\"column\":\"USERTYPE\",\"op\":\"eq\",\"value\":\"Customer\"}");
            assertThat(narrowed.path("total_rows").asLong()).isEqualTo(engineCount(
                    "START_STATION_ID IN (" + inList(PAT_STATIONS) + ") AND USERTYPE = 'Customer'"));
        }
    }

    @Test
    void a_column_not_granted_is_unknown_wherever_it_is_named() {
        try (WsClient pat = signedIn(PAT)) {
            for (String question : List.of(",\"columns\":[\"STARTTIME\",\"START_STATION_ID\"]",
                    ",\"filters\":{\"column\":\"START_STATION_ID\",\"op\":\"eq\",\"value\":101}",
                    ",\"order_by\":[{\"column\":\"start_station_id\"}]")) {
                JsonNode reply = refused(pat, "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"" + question
                                                  + "}");
                assertThat(reply.path("code").asText()).as(question).isEqualTo("BAD_REQUEST");
                assertThat(reply.path("message").asText()).as(question)
                        .containsIgnoringCase("is not a column of TRIP_WEATHER_VW");
            }
        }
    }

    @Test
    void two_roles_combine_their_columns_and_rows_and_an_analyst_sees_everything() throws Exception {
        try (WsClient sam = signedIn(SAM); WsClient alice = signedIn(ALICE)) {
            JsonNode both = sam.runView("trip_weather_vw", "");
            assertThat(columnNames(both)).containsExactly("TRIPDURATION", "STARTTIME", "STOPTIME",
                    "START_STATION_NAME", "END_STATION_NAME", "BIKEID", "USERTYPE");
            assertThat(both.path("total_rows").asLong()).isEqualTo(engineCount(
                    "START_STATION_ID IN (" + inList(RITA_STATIONS) + ") OR USERTYPE = 'Subscriber'"));
            JsonNode everything = alice.runView("trip_weather_vw", "");
            assertThat(everything.path("total_rows").asLong()).isEqualTo(tripCount());
            assertThat(everything.path("columns").size()).isEqualTo(35);
            assertThat(viewNames(alice.request("{\"action\":\"list_views\"}")))
                    .containsExactlyInAnyOrder("TRIP_WEATHER_VW", "WEATHER_VW");
        }
    }

    @Test
    void a_missing_an_unfitting_or_a_hostile_claim_and_no_role_at_all_grant_nothing() {
        for (String key : List.of(NO_CLAIM, WRONG_TYPE, HOSTILE, NOBODY)) {
            try (WsClient ws = signedIn(key)) {
                assertThat(viewNames(ws.request("{\"action\":\"list_views\"}"))).as(key).isEmpty();
                JsonNode reply = refused(ws, "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"}");
                assertThat(reply.path("code").asText()).as(key).isEqualTo("VIEW_NOT_FOUND");
            }
        }
    }

    @Test
    void only_principals_whose_effective_questions_are_equal_share_a_result() throws Exception {
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient pat = signedIn(PAT); WsClient quinn = signedIn(QUINN); WsClient rita = signedIn(RITA)) {
            String question = ",\"filters\":{\"column\":\"USERTYPE\",\"op\":\"eq\",\"value\":\"Subscriber\"}";
            int before = store.size();
            JsonNode ofPat = pat.runView("trip_weather_vw", question);
            assertThat(store.size()).isEqualTo(before + 1);
            JsonNode ofQuinn = quinn.runView("trip_weather_vw", question);
            // the same claims: the same effective question, one stored result
            assertThat(store.size()).isEqualTo(before + 1);
            assertThat(ofQuinn.path("results")).isEqualTo(ofPat.path("results"));
            JsonNode ofRita = rita.runView("trip_weather_vw", question);
            assertThat(store.size()).isEqualTo(before + 2);
            assertThat(ofRita.path("total_rows").asLong()).isEqualTo(engineCount(
                    "START_STATION_ID IN (" + inList(RITA_STATIONS) + ") AND USERTYPE = 'Subscriber'"));
            assertThat(ofPat.path("total_rows").asLong()).isEqualTo(engineCount(
                    "START_STATION_ID IN (" + inList(PAT_STATIONS) + ") AND USERTYPE = 'Subscriber'"));
            assertThat(ofRita.path("results")).isNotEqualTo(ofPat.path("results"));
        }
    }

    @Test
    void an_export_holds_only_the_rows_and_columns_its_principal_may_see() throws Exception {
        try (WsClient pat = signedIn(PAT)) {
            String queryId = pat.runView("trip_weather_vw", "").path("query_id").asText();
            JsonNode link = pat.request("{\"action\":\"export\",\"query_id\":\"" + queryId + "\",\"format\":\"csv\"}");
            assertThat(link.path("type").asText()).as("%s", link).isEqualTo("export");
            HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port() + link.path("url").asText())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(csv.statusCode()).isEqualTo(200);
            List<String> lines = csv.body().lines().toList();
            assertThat(lines.get(0)).isEqualTo(
                    "TRIPDURATION,STARTTIME,STOPTIME,START_STATION_NAME,END_STATION_NAME,USERTYPE");
            assertThat(lines).hasSize(1 + (int) engineCount("START_STATION_ID IN (" + inList(PAT_STATIONS) + ")"));
            // row for row, the engine's answer to the question with the policy written out by hand
            Path file = dataDir().resolve("scoped-export.csv");
            Files.writeString(file, csv.body(), StandardCharsets.UTF_8);
            String exported = "SELECT * FROM read_csv('" + file.toString().replace("'", "''")
                              + "', header = true, all_varchar = true)";
            String byHand = "SELECT COLUMNS(*)::VARCHAR FROM (SELECT TRIPDURATION, STARTTIME, STOPTIME, "
                            + "START_STATION_NAME, END_STATION_NAME, USERTYPE FROM trip_weather_vw "
                            + "WHERE START_STATION_ID IN (" + inList(PAT_STATIONS) + "))";
            assertThat(queryLong("SELECT (SELECT count(*) FROM (" + exported + " EXCEPT ALL " + byHand + ")) + "
                                 + "(SELECT count(*) FROM (" + byHand + " EXCEPT ALL " + exported + "))")).isZero();
        }
    }

    @Test
    void a_changed_file_applies_without_a_restart_and_a_broken_one_keeps_the_policies_in_force() throws Exception {
        try (WsClient pat = signedIn(PAT); WsClient again = signedIn(PAT)) {
            assertThat(viewNames(pat.request("{\"action\":\"list_views\"}"))).containsExactly("TRIP_WEATHER_VW");
            // an id works from the principal's other connections while its grants stay as they were
            String before = pat.runView("trip_weather_vw", "").path("query_id").asText();
            String fetchBefore = "{\"action\":\"fetch_results\",\"query_id\":\"" + before + "\",\"offset\":100}";
            assertThat(again.request(fetchBefore).path("type").asText()).isEqualTo("results");
            Files.writeString(policies, POLICIES.replace("  subscribers:\n", "      WEATHER_VW: {}\n  subscribers:\n"),
                    StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(10)).until(() -> viewNames(pat.request("{\"action\":\"list_views\"}"))
                    .contains("WEATHER_VW"));
            assertThat(pat.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
            // once they changed, the ids issued under the old ones no longer open, nor does their export
            assertThat(again.request(fetchBefore).path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            assertThat(pat.request("{\"action\":\"export\",\"query_id\":\"" + before + "\",\"format\":\"csv\"}")
                    .path("code").asText()).isEqualTo("QUERY_NOT_FOUND");

            // a file naming an unknown column, then one that is not YAML: neither is used
            Files.writeString(policies, POLICIES.replace("USERTYPE]", "NO_SUCH_COLUMN]"), StandardCharsets.UTF_8);
            Thread.sleep(1000);
            Files.writeString(policies, "roles: [", StandardCharsets.UTF_8);
            Thread.sleep(1000);
            assertThat(viewNames(pat.request("{\"action\":\"list_views\"}")))
                    .containsExactlyInAnyOrder("TRIP_WEATHER_VW", "WEATHER_VW");

            Files.writeString(policies, POLICIES, StandardCharsets.UTF_8);
            await().atMost(Duration.ofSeconds(10)).until(() -> !viewNames(pat.request("{\"action\":\"list_views\"}"))
                    .contains("WEATHER_VW"));
            JsonNode gone = refused(pat, "{\"action\":\"run_view\",\"view_name\":\"weather_vw\"}");
            assertThat(gone.path("code").asText()).isEqualTo("VIEW_NOT_FOUND");
        }
    }
}
