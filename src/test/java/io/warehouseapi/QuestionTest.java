package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.query.QueryService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asking a view a question over a real WebSocket: each operator on each kind of column, groups, columns and order_by,
 * each answer equal to the same question asked of DuckDB directly; hostile questions answered BAD_REQUEST with the
 * offending field named, and no value ever spliced into a statement the warehouse receives (DuckDB's own query log,
 * or the fake Snowflake's statements); the question is part of what makes two run_views share a result.
 */
class QuestionTest extends ApiTestSupport {

    private static final String INJECTION = "x' OR 1=1; DROP TABLE trips; --";

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.reuse-window", "PT10M");
    }

    /** The ids the API answers for a filter on question_vw, in id order. */
    private List<Long> idsFor(WsClient ws, String filter) {
        JsonNode results = ws.runView("question_vw", ", \"columns\":[\"ID\"], \"filters\":" + filter
                                                     + ", \"order_by\":[{\"column\":\"id\"}], \"page_size\":1000");
        assertThat(results.path("columns").size()).isEqualTo(1);
        assertThat(results.path("total_rows").asLong()).isEqualTo(results.path("row_count").asLong());
        List<Long> ids = new ArrayList<>();
        results.path("results").forEach(row -> ids.add(row.path("id").asLong()));
        return ids;
    }

    /** The ids DuckDB itself gives for a WHERE clause on question_vw, in id order. */
    private List<Long> engineIds(String where) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT id FROM question_vw WHERE " + where + " ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"column\":\"id\",\"op\":\"eq\",\"value\":42}                                  | id = 42",
        "{\"column\":\"id\",\"op\":\"neq\",\"value\":42}                                 | id <> 42",
        "{\"column\":\"big\",\"op\":\"lt\",\"value\":5000}                               | big < 5000",
        "{\"column\":\"big\",\"op\":\"lte\",\"value\":5000}                              | big <= 5000",
        "{\"column\":\"price\",\"op\":\"gt\",\"value\":20.5}                             | price > 20.5",
        "{\"column\":\"price\",\"op\":\"gte\",\"value\":20}                              | price >= 20",
        "{\"column\":\"ratio\",\"op\":\"lt\",\"value\":3.25}                             | ratio < 3.25",
        "{\"column\":\"id\",\"op\":\"in\",\"value\":[1,2,3,500]}                         | id IN (1, 2, 3, 500)",
        "{\"column\":\"label\",\"op\":\"in\",\"value\":[\"station 1\",\"station 11\"]}   | label IN ('station 1', 'station 11')",
        "{\"column\":\"label\",\"op\":\"contains\",\"value\":\"%b_\"}                    | label LIKE '%\\%b\\_%' ESCAPE '\\'",
        "{\"column\":\"label\",\"op\":\"contains\",\"value\":\"_\"}                      | label LIKE '%\\_%' ESCAPE '\\'",
        "{\"column\":\"label\",\"op\":\"starts_with\",\"value\":\"station 1\"}           | label LIKE 'station 1%'",
        "{\"column\":\"label\",\"op\":\"starts_with\",\"value\":\"a%\"}                  | label LIKE 'a\\%%' ESCAPE '\\'",
        "{\"column\":\"label\",\"op\":\"is_null\"}                                       | label IS NULL",
        "{\"column\":\"maybe\",\"op\":\"not_null\"}                                      | maybe IS NOT NULL",
        "{\"column\":\"flag\",\"op\":\"eq\",\"value\":true}                              | flag",
        "{\"column\":\"flag\",\"op\":\"neq\",\"value\":true}                             | NOT flag",
        "{\"column\":\"day\",\"op\":\"gte\",\"value\":\"2018-06-25\"}                    | day >= DATE '2018-06-25'",
        "{\"column\":\"day\",\"op\":\"in\",\"value\":[\"2018-06-02\",\"2018-06-03\"]}    | day IN (DATE '2018-06-02', DATE '2018-06-03')",
        "{\"column\":\"at\",\"op\":\"lt\",\"value\":\"2018-06-02T00:00:00\"}             | \"at\" < TIMESTAMP '2018-06-02 00:00:00'",
        "{\"column\":\"at\",\"op\":\"eq\",\"value\":\"2018-06-03T05:00\"}                | \"at\" = TIMESTAMP '2018-06-03 05:00:00'",
        "{\"and\":[{\"column\":\"id\",\"op\":\"gt\",\"value\":100},{\"column\":\"flag\",\"op\":\"eq\",\"value\":false}]} | id > 100 AND NOT flag",
        "{\"or\":[{\"column\":\"id\",\"op\":\"lt\",\"value\":3},{\"not\":{\"column\":\"label\",\"op\":\"starts_with\",\"value\":\"station\"}}]} | id < 3 OR NOT (label LIKE 'station%')",
        "{\"not\":{\"or\":[{\"column\":\"maybe\",\"op\":\"is_null\"},{\"column\":\"maybe\",\"op\":\"gte\",\"value\":3}]}} | NOT (maybe IS NULL OR maybe >= 3)",
    })
    void each_operator_gives_what_the_engine_gives_for_the_same_question(String filter, String where)
            throws SQLException {
        try (WsClient ws = connect()) {
            List<Long> expected = engineIds(where);
            assertThat(expected).as("the case selects some rows and not all").isNotEmpty().hasSizeLessThan(200);
            assertThat(idsFor(ws, filter)).isEqualTo(expected);
        }
    }

    @Test
    void columns_come_in_the_order_asked_and_rows_in_the_order_asked() throws SQLException {
        try (WsClient ws = connect()) {
            JsonNode results = ws.runView("QUESTION_VW", ", \"columns\":[\"label\",\"Id\",\"at\"],"
                    + " \"order_by\":[{\"column\":\"label\",\"direction\":\"desc\",\"nulls\":\"first\"},"
                    + "{\"column\":\"id\",\"direction\":\"asc\"}], \"page_size\":1000");
            List<String> names = new ArrayList<>();
            results.path("columns").forEach(column -> names.add(column.path("name").asText()));
            assertThat(names).containsExactly("label", "id", "at");
            List<String> rows = new ArrayList<>();
            results.path("results").forEach(row -> {
                assertThat(row.size()).isEqualTo(3);
                rows.add(row.path("label").asText(null) + "/" + row.path("id").asLong() + "/"
                         + row.path("at").asText());
            });
            List<String> expected = new ArrayList<>();
            try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT label, id, strftime(\"at\", '%Y-%m-%dT%H:%M:%S') "
                                                       + "FROM question_vw ORDER BY label DESC NULLS FIRST, id")) {
                while (rs.next()) {
                    expected.add(rs.getString(1) + "/" + rs.getLong(2) + "/" + rs.getString(3));
                }
            }
            assertThat(rows).isEqualTo(expected);
            // paging keeps the order
            JsonNode second = ws.request("{\"action\":\"fetch_results\",\"query_id\":\""
                                         + results.path("query_id").asText() + "\",\"offset\":190}");
            assertThat(second.path("results").get(0).path("id").asLong())
                    .isEqualTo(Long.parseLong(expected.get(190).split("/")[1]));
        }
    }

    @Test
    void the_original_request_is_unchanged() throws SQLException {
        try (WsClient ws = connect()) {
            JsonNode results = ws.runView("trip_weather_vw", "");
            assertThat(results.path("columns").size()).isEqualTo(35);
            assertThat(results.path("total_rows").asLong()).isEqualTo(tripCount());
        }
        if (onSnowflake()) {
            assertThat(snowflake.asyncStatements).contains("SELECT *, SEQ8() AS \"__WAREHOUSE_API_ROW\" FROM \"CITIBIKE\".\"PUBLIC\".\"TRIP_WEATHER_VW\"");
        } else {
            assertThat(engineQueryLog()).anyMatch(sql -> sql.endsWith("AS SELECT * FROM \"main\".\"trip_weather_vw\""));
        }
    }

    @Test
    void list_views_says_which_operators_apply_to_each_column() {
        try (WsClient ws = connect()) {
            JsonNode views = ws.request("{\"action\":\"list_views\"}");
            JsonNode question = null;
            for (JsonNode view : views.path("views")) {
                if (view.path("name").asText().equalsIgnoreCase("question_vw")) {
                    question = view;
                }
            }
            assertThat(question).isNotNull();
            java.util.Map<String, List<String>> operators = new java.util.HashMap<>();
            question.path("columns").forEach(column -> {
                List<String> ops = new ArrayList<>();
                column.path("operators").forEach(op -> ops.add(op.asText()));
                operators.put(column.path("name").asText().toLowerCase(), ops);
            });
            assertThat(operators.get("label")).containsExactly("eq", "neq", "lt", "lte", "gt", "gte", "in",
                    "contains", "starts_with", "is_null", "not_null");
            assertThat(operators.get("id")).containsExactly("eq", "neq", "lt", "lte", "gt", "gte", "in", "is_null",
                    "not_null");
            assertThat(operators.get("at")).doesNotContain("contains");
            assertThat(operators.get("flag")).containsExactly("eq", "neq", "is_null", "not_null");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"columns\":[\"id\",\"nope\"]                                          | columns[1] is not a column of QUESTION_VW",
        "\"columns\":[\"id\",\"ID\"]                                            | columns[1] repeats the column id",
        "\"columns\":[]                                                         | columns must be an array of 1 to 1000",
        "\"columns\":\"id\"                                                     | columns must be an array",
        "\"filters\":{\"column\":\"id\\\" OR 1=1 --\",\"op\":\"eq\",\"value\":1} | filters.column is not a column of QUESTION_VW",
        "\"filters\":{\"column\":\"id\",\"op\":\"like\",\"value\":1}             | filters.op is not an operator",
        "\"filters\":{\"column\":\"id\",\"op\":\"eq\",\"value\":\"42\"}          | filters.value must be an integer for column id (",
        "\"filters\":{\"column\":\"id\",\"op\":\"eq\",\"value\":4.5}             | filters.value must be an integer for column id",
        "\"filters\":{\"column\":\"id\",\"op\":\"eq\",\"value\":99999999999999999999} | ): it is out of range",
        "\"filters\":{\"column\":\"price\",\"op\":\"gt\",\"value\":1e400}       | filters.value must be a number for column price (…): it is out of range",
        "\"filters\":{\"column\":\"price\",\"op\":\"in\",\"value\":[1,-1e400]}  | filters.value[1] must be a number for column price (…): it is out of range",
        "\"filters\":{\"column\":\"price\",\"op\":\"lt\",\"value\":1e300}       | filters.value must be a number for column price (…): it is out of range",
        "\"filters\":{\"column\":\"ratio\",\"op\":\"lt\",\"value\":1e400}       | filters.value must be a number for column ratio (…): it is out of range",
        "\"filters\":{\"column\":\"id\",\"op\":\"eq\"}                           | filters.value is required for eq",
        "\"filters\":{\"column\":\"id\",\"op\":\"is_null\",\"value\":1}          | filters.value must be left out for is_null",
        "\"filters\":{\"column\":\"id\",\"op\":\"contains\",\"value\":\"4\"}     | filters.op contains does not apply to column id",
        "\"filters\":{\"column\":\"id\",\"op\":\"eq\",\"value\":1,\"x\":1}       | filters has an unknown key",
        "\"filters\":{\"and\":[{\"column\":\"id\",\"op\":\"eq\",\"value\":1},{\"column\":\"at\",\"op\":\"gt\",\"value\":\"June\"}]} | filters.and[1].value must be an ISO-8601 date-time",
        "\"filters\":{\"and\":[]}                                               | filters.and must be an array of 1 to 100",
        "\"filters\":{\"and\":[{\"column\":\"id\",\"op\":\"eq\",\"value\":1}],\"or\":[]} | filters must hold one key",
        "\"filters\":{\"column\":\"id\",\"op\":\"in\",\"value\":[1,[2]]}          | filters.value[1] must be a string, number or boolean",
        "\"filters\":{\"column\":\"id\",\"op\":\"in\",\"value\":[]}              | filters.value must be an array of 1 to 1000 values",
        "\"filters\":{\"column\":\"day\",\"op\":\"eq\",\"value\":\"2018-02-30\"} | filters.value must be an ISO-8601 date string",
        "\"filters\":{\"column\":\"flag\",\"op\":\"eq\",\"value\":1}             | filters.value must be true or false for column flag",
        "\"filters\":[]                                                         | filters must be a condition",
        "\"order_by\":[{\"column\":\"id\",\"direction\":\"down\"}]              | order_by[0].direction must be asc or desc",
        "\"order_by\":[{\"column\":\"nope\"}]                                   | order_by[0].column is not a column of QUESTION_VW",
        "\"order_by\":[{\"column\":\"id\",\"nulls\":\"middle\"}]                | order_by[0].nulls must be last or first",
        "\"order_by\":[{\"col\":\"id\"}]                                        | order_by[0] has an unknown key",
    })
    void a_question_that_cannot_be_asked_is_a_bad_request_naming_the_field(String fields, String message) {
        try (WsClient ws = connect()) {
            ws.send("{\"action\":\"run_view\",\"view_name\":\"question_vw\"," + fields + ",\"request_id\":\"q1\"}");
            JsonNode reply = ws.next();
            if (reply.path("type").asText().equals("submitted")) {
                // names and value types are checked against the catalog, once the request is accepted
                reply = ws.next();
            }
            assertThat(reply.path("type").asText()).isEqualTo("error");
            assertThat(reply.path("code").asText()).isEqualTo("BAD_REQUEST");
            // "…" stands for the warehouse's own name of a type, which differs between warehouses
            assertThat(reply.path("message").asText()).containsSubsequence(message.split("…"));
            assertThat(reply.path("request_id").asText()).isEqualTo("q1");
            // the connection stays usable
            assertThat(ws.runView("question_vw", ", \"columns\":[\"id\"]").path("total_rows").asLong())
                    .isEqualTo(200);
        }
    }

    @Test
    void limits_on_size_and_depth_are_enforced() {
        StringBuilder huge = new StringBuilder("[");
        for (int i = 0; i <= 1000; i++) {
            huge.append(i == 0 ? "" : ",").append(i);
        }
        huge.append(']');
        String condition = "{\"column\":\"id\",\"op\":\"eq\",\"value\":1}";
        String deep = condition;
        for (int i = 0; i < 8; i++) {
            deep = "{\"not\":" + deep + "}";
        }
        StringBuilder many = new StringBuilder("{\"or\":[");
        for (int i = 0; i < 2; i++) {
            many.append(i == 0 ? "" : ",").append("{\"and\":[");
            for (int j = 0; j < 51; j++) {
                many.append(j == 0 ? "" : ",").append(condition);
            }
            many.append("]}");
        }
        many.append("]}");
        try (WsClient ws = connect()) {
            assertThat(badRequest(ws, "{\"column\":\"id\",\"op\":\"in\",\"value\":" + huge + "}"))
                    .contains("filters.value must be an array of 1 to 1000 values");
            assertThat(badRequest(ws, deep)).contains("is nested more than 8 deep");
            assertThat(badRequest(ws, many.toString())).contains("filters holds more than 100 conditions");
            // at the limits, served
            String eight = condition;
            for (int i = 0; i < 7; i++) {
                eight = "{\"not\":" + eight + "}";
            }
            assertThat(ws.runView("question_vw", ", \"filters\":" + eight).path("total_rows").asLong())
                    .isEqualTo(199);
        }
    }

    private static String badRequest(WsClient ws, String filter) {
        ws.send("{\"action\":\"run_view\",\"view_name\":\"question_vw\",\"filters\":" + filter + "}");
        JsonNode reply = ws.next("error");
        assertThat(reply.path("code").asText()).isEqualTo("BAD_REQUEST");
        return reply.path("message").asText();
    }

    @Test
    void values_are_bound_never_spliced_into_a_statement() throws SQLException {
        try (WsClient ws = connect()) {
            assertThat(idsFor(ws, "{\"or\":[{\"column\":\"label\",\"op\":\"eq\",\"value\":\"" + INJECTION.replace("\"", "\\\"")
                                  + "\"},{\"column\":\"label\",\"op\":\"contains\",\"value\":\"'; SELECT 1; --\"}]}"))
                    .isEmpty();
            assertThat(idsFor(ws, "{\"column\":\"at\",\"op\":\"lt\",\"value\":\"2018-06-01T03:00:00\"}"))
                    .containsExactly(0L, 1L, 2L);
        }
        List<String> statements = onSnowflake() ? snowflake.asyncStatements : engineQueryLog();
        List<String> questions = statements.stream().filter(sql -> sql.toLowerCase().contains("question_vw")).toList();
        assertThat(questions).isNotEmpty();
        assertThat(questions).allSatisfy(sql -> {
            assertThat(sql).doesNotContain("OR 1=1").doesNotContain("SELECT 1;").doesNotContain("2018-06-01T03");
        });
        assertThat(questions).anyMatch(sql -> sql.contains("\"label\" = ?"));
        if (onSnowflake()) {
            assertThat(snowflake.asyncBindings.toString()).contains("OR 1=1").contains("2018-06-01T03:00");
        }
    }

    @Test
    void the_question_is_part_of_what_makes_two_requests_identical() {
        QueryService queries = bean("queries", QueryService.class);
        try (WsClient ws = connect()) {
            String question = ", \"columns\":[\"id\",\"label\"], \"filters\":{\"and\":[{\"column\":\"id\",\"op\":\"gt\","
                              + "\"value\":150},{\"column\":\"flag\",\"op\":\"eq\",\"value\":true}]}";
            String first = ws.runView("question_vw", question).path("query_id").asText();
            // the same question, spelt differently (case, key order): the same result
            String same = ws.runView("QUESTION_VW", ", \"filters\":{\"and\":[{\"value\":150,\"op\":\"gt\",\"column\":"
                                                   + "\"ID\"},{\"column\":\"FLAG\",\"op\":\"eq\",\"value\":true}]}, \"columns\":[\"ID\",\"Label\"]")
                    .path("query_id").asText();
            String other = ws.runView("question_vw", question.replace("150", "151")).path("query_id").asText();
            String whole = ws.runView("question_vw", "").path("query_id").asText();
            assertThat(queries.warehouseIdOf(same)).isEqualTo(queries.warehouseIdOf(first));
            assertThat(queries.warehouseIdOf(other)).isNotEqualTo(queries.warehouseIdOf(first));
            assertThat(queries.warehouseIdOf(whole)).isNotEqualTo(queries.warehouseIdOf(first))
                    .isNotEqualTo(queries.warehouseIdOf(other));
        }
    }
}
