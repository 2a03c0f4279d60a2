package io.warehouseapi.reply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warehouseapi.api.ApiException;
import io.warehouseapi.api.ErrorCode;
import io.warehouseapi.api.RequestParser;
import io.warehouseapi.query.QueryFailure;
import org.apache.camel.RuntimeCamelException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge where failures become the protocol's error replies: the query layer's failures by their kind, the
 * protocol's own as they are, anything else as INTERNAL with a fixed sentence; wrapped as bean calls wrap them.
 */
class ErrorRepliesTest {

    private final Replies replies = new Replies();
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode error(Throwable failure, String requestJson, String queryId) throws Exception {
        return json.readTree(replies.error(failure,
                requestJson == null ? null : new RequestParser(1000, 65536).parse(requestJson), queryId));
    }

    @Test
    void a_query_failure_is_answered_with_the_code_of_its_kind() throws Exception {
        JsonNode reply = error(new RuntimeCamelException(new QueryFailure(QueryFailure.Kind.UNKNOWN_QUERY,
                "No query of that id is known to this client.", "abc", null)),
                "{\"action\":\"fetch_results\",\"query_id\":\"abc\",\"request_id\":\"r1\"}", null);

        assertThat(reply.path("type").asText()).isEqualTo("error");
        assertThat(reply.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
        assertThat(reply.path("message").asText()).isEqualTo("No query of that id is known to this client.");
        assertThat(reply.path("query_id").asText()).isEqualTo("abc");
        assertThat(reply.path("request_id").asText()).isEqualTo("r1");
    }

    @Test
    void every_kind_has_its_code() {
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.WAREHOUSE_BUSY)).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.LIMIT_REACHED)).isEqualTo(ErrorCode.TOO_MANY_REQUESTS);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.WAREHOUSE_UNREACHABLE))
                .isEqualTo(ErrorCode.WAREHOUSE_UNAVAILABLE);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.NO_SUCH_VIEW)).isEqualTo(ErrorCode.VIEW_NOT_FOUND);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.BAD_QUESTION)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.NOT_FINISHED)).isEqualTo(ErrorCode.QUERY_NOT_FINISHED);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.FAILED)).isEqualTo(ErrorCode.QUERY_FAILED);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.TIMED_OUT)).isEqualTo(ErrorCode.QUERY_TIMEOUT);
        assertThat(FailureCodes.codeOf(QueryFailure.Kind.CANCELLED)).isEqualTo(ErrorCode.QUERY_CANCELLED);
    }

    @Test
    void the_protocols_own_failures_speak_for_themselves_and_anything_else_says_nothing_of_the_server()
            throws Exception {
        JsonNode own = error(new ApiException(ErrorCode.UNAUTHORIZED, "Authenticate first."), null, null);
        assertThat(own.path("code").asText()).isEqualTo("UNAUTHORIZED");

        JsonNode other = error(new IllegalStateException("jdbc:duckdb:/secret/path failed"), null, "q-1");
        assertThat(other.path("code").asText()).isEqualTo("INTERNAL");
        assertThat(other.path("message").asText()).isEqualTo("The server could not handle the request.");
        assertThat(other.path("query_id").asText()).isEqualTo("q-1");
        assertThat(other.toString()).doesNotContain("secret");
    }
}
