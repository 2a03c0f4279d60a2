package io.warehouseapi;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snowflake's column types as the driver hands them over, against the fake Snowflake, which sends each in Snowflake's
 * own wire form: a TIMESTAMP_LTZ keeps its instant, a TIMESTAMP_TZ its own offset, TIME, BINARY and a NUMBER with a
 * scale their values; and {@code results} names each column's type as {@code list_views} does.
 */
class SnowflakeTypesTest extends ApiTestSupport {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 1_000;
    }

    @Override
    protected void beforeStart() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute("""
                    CREATE OR REPLACE VIEW snowflake_types_vw AS
                    SELECT * FROM (VALUES
                        (1, 12.34::DECIMAL(10, 2), TIMESTAMPTZ '2018-06-01 14:00:00.5+00',
                         '2018-06-01T10:00:00.5-04:00', TIME '10:30:15', '\\xCA\\xFE'::BLOB, 'first'),
                        (2, -0.05::DECIMAL(10, 2), TIMESTAMPTZ '2018-12-31 23:59:59+00',
                         '2018-12-31T23:59:59+05:30', TIME '23:59:59.25', ''::BLOB, 'second'),
                        (3, NULL, NULL, NULL, NULL, NULL, NULL)
                    ) t(ID, AMOUNT, SEEN_LTZ, SEEN_TZ, AT_TIME, PAYLOAD, NOTE)
                    ORDER BY ID""");
        }
        // Snowflake keeps a TIMESTAMP_TZ's own offset; DuckDB an instant only: the fake holds them as text
        snowflake.timestampTzColumns.add("SEEN_TZ");
    }

    @Test
    void each_type_keeps_its_value_and_results_name_it_as_list_views_does() {
        try (WsClient client = connect()) {
            JsonNode views = client.request("{\"action\":\"list_views\"}");
            Map<String, String> listed = new LinkedHashMap<>();
            for (JsonNode view : views.path("views")) {
                if (view.path("name").asText().equals("SNOWFLAKE_TYPES_VW")) {
                    view.path("columns").forEach(c -> listed.put(c.path("name").asText(), c.path("type").asText()));
                }
            }
            assertThat(listed).as("%s", views).containsExactly(
                    Map.entry("ID", "NUMBER(38,0)"), Map.entry("AMOUNT", "NUMBER(10,2)"),
                    Map.entry("SEEN_LTZ", "TIMESTAMP_LTZ"), Map.entry("SEEN_TZ", "TIMESTAMP_TZ"),
                    Map.entry("AT_TIME", "TIME"), Map.entry("PAYLOAD", "BINARY"), Map.entry("NOTE", "TEXT"));

            JsonNode results = client.runView("snowflake_types_vw", "");
            assertThat(results.path("type").asText()).as("%s", results).isEqualTo("results");
            Map<String, String> reported = new LinkedHashMap<>();
            results.path("columns").forEach(c -> reported.put(c.path("name").asText(), c.path("type").asText()));
            assertThat(reported).as("results name each type as list_views does").isEqualTo(listed);

            JsonNode first = results.path("results").get(0);
            JsonNode second = results.path("results").get(1);
            assertThat(first.path("AMOUNT").decimalValue()).isEqualByComparingTo("12.34");
            assertThat(second.path("AMOUNT").decimalValue()).isEqualByComparingTo("-0.05");
            // the instant, in UTC
            assertThat(first.path("SEEN_LTZ").asText()).isEqualTo("2018-06-01T14:00:00.5Z");
            assertThat(second.path("SEEN_LTZ").asText()).isEqualTo("2018-12-31T23:59:59Z");
            // the value's own offset
            assertThat(first.path("SEEN_TZ").asText()).isEqualTo("2018-06-01T10:00:00.5-04:00");
            assertThat(second.path("SEEN_TZ").asText()).isEqualTo("2018-12-31T23:59:59+05:30");
            assertThat(first.path("AT_TIME").asText()).isEqualTo("10:30:15");
            assertThat(second.path("AT_TIME").asText()).isEqualTo("23:59:59.25");
            assertThat(first.path("PAYLOAD").asText()).isEqualTo("yv4=");
            assertThat(second.path("PAYLOAD").asText()).isEmpty();
            assertThat(first.path("NOTE").asText()).isEqualTo("first");
            JsonNode nulls = results.path("results").get(2);
            for (String column : listed.keySet()) {
                if (!column.equals("ID")) {
                    assertThat(nulls.path(column).isNull()).as(column).isTrue();
                }
            }
        }
    }
}
