package io.warehouseapi.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The field rules of the protocol, one by one. */
class RequestParserTest {

    private final RequestParser parser = new RequestParser(1000, 65536);

    @Test
    void run_view_takes_the_view_name_as_sent_and_defaults_the_page_size() {
        ApiRequest request = parser.parse("{\"action\":\"run_view\",\"view_name\":\"Trip_Weather_VW\"}");
        assertThat(request.action()).isEqualTo("run_view");
        assertThat(request.viewName()).isEqualTo("Trip_Weather_VW");
        assertThat(request.pageSize()).isEqualTo(100);
        assertThat(request.requestId()).isNull();
    }

    @Test
    void offset_is_a_json_integer_or_a_string_of_digits() {
        assertThat(offset("100")).isEqualTo(100);
        assertThat(offset("\"100\"")).isEqualTo(100);
        assertThat(offset("\"0100\"")).isEqualTo(100);
        assertThat(offset("0")).isZero();
        assertThat(offset("9007199254740991")).isEqualTo(9007199254740991L);
        assertThat(offset("\"9007199254740991\"")).isEqualTo(9007199254740991L);
        assertThat(offset("null")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "\"-1\"", "1.5", "1.0", "1e2", "\"1e2\"", "9007199254740992", "\"9007199254740992\"",
                            "\" 1\"", "\"1 \"", "\"0x10\"", "\"\u0661\"", "[]", "{}", "false"})
    void any_other_offset_is_bad_request(String offset) {
        assertThatThrownBy(() -> offset(offset)).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void page_size_is_an_integer_from_one_to_the_maximum() {
        assertThat(parser.parse("{\"action\":\"run_view\",\"view_name\":\"v\",\"page_size\":1}").pageSize()).isEqualTo(1);
        assertThat(parser.parse("{\"action\":\"run_view\",\"view_name\":\"v\",\"page_size\":1000}").pageSize()).isEqualTo(1000);
        assertThat(parser.parse("{\"action\":\"run_view\",\"view_name\":\"v\",\"page_size\":null}").pageSize()).isEqualTo(100);
        for (String bad : new String[] {"0", "1001", "-1", "2.5", "\"5\"", "true", "1e3"}) {
            assertThatThrownBy(() -> parser.parse("{\"action\":\"run_view\",\"view_name\":\"v\",\"page_size\":" + bad + "}"))
                    .as(bad).isInstanceOf(ApiException.class);
        }
    }

    @Test
    void a_valid_request_id_is_kept_for_errors_in_other_fields_and_an_invalid_one_is_not() {
        ApiException withId = catchApi("{\"action\":\"fetch_results\",\"offset\":1,\"request_id\":\"abc\"}");
        assertThat(withId.getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(withId.getRequestId()).isEqualTo("abc");
        ApiException unknown = catchApi("{\"action\":\"Explode!\",\"request_id\":\"abc\"}");
        assertThat(unknown.getCode()).isEqualTo(ErrorCode.UNKNOWN_ACTION);
        assertThat(unknown.getRequestId()).isEqualTo("abc");
        // a well-formed name the routes may serve passes, its common fields checked
        assertThat(parser.parse("{\"action\":\"row_count\",\"query_id\":\"q\"}").actionName()).isEqualTo("row_count");
        assertThat(catchApi("{\"action\":\"row_count\",\"query_id\":5}").getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
        ApiException badId = catchApi("{\"action\":\"list_views\",\"request_id\":\"" + "a".repeat(65) + "\"}");
        assertThat(badId.getRequestId()).isNull();
        assertThat(parser.parse("{\"action\":\"list_views\",\"request_id\":\"" + "~".repeat(64) + "\"}").requestId())
                .hasSize(64);
    }

    @Test
    void repeated_keys_and_trailing_values_are_bad_request() {
        assertThat(catchApi("{\"action\":\"list_views\",\"action\":\"list_views\"}").getMessage()).contains("repeated");
        assertThat(catchApi("{\"action\":\"list_views\"}{}").getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @Test
    void frame_size_counts_utf8_bytes() {
        RequestParser small = new RequestParser(10, 10);
        assertThat(small.isTooLarge("0123456789")).isFalse();
        assertThat(small.isTooLarge("0123456789a")).isTrue();
        assertThat(small.isTooLarge("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9")).isTrue();
    }

    private long offset(String json) {
        return parser.parse("{\"action\":\"fetch_results\",\"query_id\":\"q\",\"offset\":" + json + "}").offset();
    }

    private ApiException catchApi(String frame) {
        try {
            parser.parse(frame);
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("expected an ApiException for " + frame);
    }
}
