package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warehouseapi.api.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document: served by the API at /asyncapi.yaml as it is in the repository, naming every error code the
 * server has, and a check that fails on a reply that drifts from it (the end-to-end suites run every reply they
 * receive through that check).
 */
class ContractTest extends ApiTestSupport {

    @Test
    void the_document_is_served_at_asyncapi_yaml() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port() + "/asyncapi.yaml")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(Files.readString(Contract.DOCUMENT));
    }

    @Test
    void the_document_names_every_error_code_and_no_other() {
        Set<String> documented = new HashSet<>();
        Contract.get().document().at("/components/schemas/ErrorReply/properties/code/enum")
                .forEach(code -> documented.add(code.asText()));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(ErrorCode.values()).map(Enum::name).toList());
    }

    @Test
    void the_check_accepts_real_replies_and_refuses_drifted_ones() {
        try (WsClient client = connect()) {
            JsonNode results = client.runView("weather_vw", ",\"request_id\":\"c-1\"");
            assertThat(Contract.get().violationsOfReply(results)).isEmpty();
            JsonNode views = client.request("{\"action\":\"list_views\"}");
            assertThat(Contract.get().violationsOfReply(views)).isEmpty();

            ObjectNode withoutComputedAt = results.deepCopy();
            withoutComputedAt.remove("computed_at");
            assertThat(Contract.get().violationsOfReply(withoutComputedAt)).isNotEmpty();
            ObjectNode extraField = results.deepCopy();
            extraField.put("rows", 1);
            assertThat(Contract.get().violationsOfReply(extraField)).isNotEmpty();
            ObjectNode textOffset = results.deepCopy();
            textOffset.put("offset", "0");
            assertThat(Contract.get().violationsOfReply(textOffset)).isNotEmpty();
            ObjectNode unknownType = results.deepCopy();
            unknownType.put("type", "result");
            assertThat(Contract.get().violationsOfReply(unknownType)).isNotEmpty();
            ObjectNode unknownCode = WsClient.JSON.createObjectNode().put("type", "error").put("code", "OOPS")
                    .put("message", "?");
            assertThat(Contract.get().violationsOfReply(unknownCode)).isNotEmpty();
        }
    }

    @Test
    void the_original_clients_requests_match_the_document() throws Exception {
        for (String request : new String[] {
                "{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"}",
                "{\"action\":\"fetch_results\",\"query_id\":\"01bf3c2e-0000-4f3a-9d1e-7c2a5b8e9f10\",\"offset\":\"100\"}"}) {
            assertThat(Contract.get().violationsOfRequest(WsClient.JSON.readTree(request))).as(request).isEmpty();
        }
    }
}
