package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT (here its system property) naming a real OTLP receiver on loopback, a run_view is
 * one trace whose spans show its receive, its wait in the queue, the submit, each poll, the first page and the send,
 * with the view, query id, principal, rows and outcome as attributes; fetch_results, export and the download are
 * traced too; no span holds the credential or an export link's token.
 */
class TracesTest extends ApiTestSupport {

    private static final Map<String, String> OTEL = Map.of(
            "otel.exporter.otlp.protocol", "http/protobuf",
            "otel.bsp.schedule.delay", "100",
            "otel.traces.sampler", "always_on");

    private OtlpReceiver receiver;

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.auth.mode", "token");
        properties.setProperty("api.auth.tokens", "alice:" + TokenAuthTest.ALICE_KEY);
    }

    @Override
    protected void beforeStart() throws Exception {
        receiver = new OtlpReceiver();
        OTEL.forEach(System::setProperty);
        System.setProperty("otel.exporter.otlp.endpoint", receiver.endpoint());
    }

    @AfterAll
    void stopReceiver() {
        OTEL.keySet().forEach(System::clearProperty);
        System.clearProperty("otel.exporter.otlp.endpoint");
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void a_run_view_is_one_trace_of_its_steps_and_pages_and_downloads_are_traced() throws Exception {
        String queryId;
        String url;
        try (WsClient ws = WsClient.connectWithHeaders(port(), Map.of("Authorization", "Bearer " + TokenAuthTest.ALICE_KEY))) {
            JsonNode first = ws.runView("trip_weather_vw", ",\"request_id\":\"r1\",\"page_size\":7");
            queryId = first.path("query_id").asText();
            ws.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":7,\"page_size\":3}");
            url = ws.request("{\"action\":\"export\",\"query_id\":\"" + queryId + "\",\"format\":\"csv\"}")
                    .path("url").asText();
        }
        HttpResponse<String> download = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port() + url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(download.statusCode()).isEqualTo(200);
        String token = url.substring(url.lastIndexOf('/') + 1);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() ->
                receiver.spans().stream().anyMatch(span -> span.name().equals("export download"))
                && receiver.spans().stream().anyMatch(span -> queryId.equals(span.attributes().get("warehouse_api.query_id"))
                                                              && span.attributes().containsKey("warehouse_api.outcome")));
        List<OtlpReceiver.ReceivedSpan> spans = receiver.spans();
        OtlpReceiver.ReceivedSpan submit = spans.stream()
                .filter(span -> queryId.equals(span.attributes().get("warehouse_api.query_id"))
                                && span.attributes().containsKey("warehouse_api.how"))
                .findFirst().orElseThrow();
        assertThat(submit.attributes()).containsEntry("warehouse_api.view", "TRIP_WEATHER_VW")
                .containsEntry("enduser.id", "alice").containsEntry("resource.service.name", "warehouse-api");
        List<OtlpReceiver.ReceivedSpan> trace = spans.stream().filter(span -> span.traceId().equals(submit.traceId()))
                .toList();
        Set<String> names = trace.stream().map(OtlpReceiver.ReceivedSpan::name).collect(Collectors.toSet());
        // Camel names a step's span by its id and kind, and an endpoint's by its path
        assertThat(names).as("the run_view's trace").contains("vertx-websocket", "receive-request",
                "submit-query-bean", "wait-and-poll-bean", "read-first-page-bean", "send-reply");
        assertThat(trace).as("its hand-off to the run-view queue, and its wait there")
                .filteredOn(span -> "seda".equals(span.attributes().get("url.scheme"))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(trace).as("its submitted, running and results replies")
                .filteredOn(span -> span.name().equals("send-reply")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(trace).anySatisfy(span -> assertThat(span.attributes())
                .containsEntry("warehouse_api.rows", "7").containsEntry("warehouse_api.offset", "0"));
        assertThat(trace).anySatisfy(span -> assertThat(span.attributes())
                .containsEntry("warehouse_api.outcome", "SUCCESS"));

        assertThat(spans).anySatisfy(span -> assertThat(span.attributes())
                .containsEntry("warehouse_api.query_id", queryId).containsEntry("warehouse_api.offset", "7")
                .containsEntry("warehouse_api.rows", "3"));
        assertThat(spans).anySatisfy(span -> assertThat(span.name()).isEqualTo("issue-export-link-bean"));
        assertThat(spans).anySatisfy(span -> {
            assertThat(span.name()).isEqualTo("export download");
            assertThat(span.attributes()).containsEntry("warehouse_api.query_id", queryId)
                    .containsEntry("warehouse_api.format", "csv");
        });
        // steps with generated ids are left out (each span costs)
        assertThat(spans).extracting(OtlpReceiver.ReceivedSpan::name)
                .noneMatch(name -> name.matches("(setProperty|setBody|bean|choice|filter|to)[0-9]+-.*"));
        for (OtlpReceiver.ReceivedSpan span : spans) {
            assertThat(span.toString()).as("a span").doesNotContain(TokenAuthTest.ALICE_KEY).doesNotContain(token);
        }
    }
}
