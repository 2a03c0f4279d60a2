package io.warehouseapi;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Asking a view a question on Snowflake (the fake endpoint): the same answers, every value a bound parameter. */
class QuestionOnSnowflakeTest extends QuestionTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Test
    void temporal_values_are_bound_in_an_explicit_format_whatever_the_accounts_input_formats() throws Exception {
        snowflake.strictInputFormats = true;
        try (WsClient client = connect()) {
            // ISO-8601 without seconds: Java's own text of it would be 2018-06-01T00:00
            JsonNode results = client.runView("trip_weather_vw",
                    ",\"filters\":{\"and\":[{\"column\":\"STARTTIME\",\"op\":\"gte\",\"value\":\"2018-06-01T00:00\"},"
                    + "{\"column\":\"STARTTIME\",\"op\":\"lt\",\"value\":\"2018-06-15T12:30:00.5\"}]}");
            assertThat(results.path("type").asText()).as("%s", results).isEqualTo("results");
            assertThat(results.path("total_rows").asLong()).isEqualTo(queryLong("SELECT count(*) FROM trip_weather_vw "
                    + "WHERE STARTTIME >= TIMESTAMP '2018-06-01 00:00:00' "
                    + "AND STARTTIME < TIMESTAMP '2018-06-15 12:30:00.5'")).isPositive();
        } finally {
            snowflake.strictInputFormats = false;
        }
    }
}
