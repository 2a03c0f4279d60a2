package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator sees on the API's port: the client at /, liveness and readiness, Prometheus metrics that move. */
class OperationsTest extends ApiTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    protected HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_client_is_served_at_the_root_and_nothing_else_from_the_disk() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("<title>warehouse-api");
        assertThat(get("/js/app.js").statusCode()).isEqualTo(200);
        for (String path : new String[] {"/pom.xml", "/../pom.xml", "/%2e%2e/pom.xml", "/data/sample.duckdb",
                                         "/application.properties", "/log4j2.properties"}) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void liveness_and_readiness_are_up_with_the_warehouse_named() throws Exception {
        HttpResponse<String> live = get("/observe/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(WsClient.parse(live.body()).path("status").asText()).isEqualTo("UP");
        HttpResponse<String> ready = get("/observe/health/ready?exposureLevel=full");
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode body = WsClient.parse(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.toString()).contains("warehouse");
    }

    @Test
    void the_metrics_move_after_a_run_view_and_a_page() throws Exception {
        String before = get("/observe/metrics").body();
        try (WsClient client = connect()) {
            JsonNode first = client.runView("trip_weather_vw", ",\"page_size\":10");
            client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + first.path("query_id").asText()
                           + "\",\"offset\":10,\"page_size\":10}");
            String during = get("/observe/metrics").body();
            assertThat(value(during, "warehouse_api_connections_open")).isGreaterThanOrEqualTo(1);
        }
        String after = get("/observe/metrics").body();
        assertThat(value(after, "warehouse_api_queries_started_total") - value(before, "warehouse_api_queries_started_total"))
                .isEqualTo(1);
        assertThat(value(after, "warehouse_api_queries_finished_total{outcome=\"succeeded\"}")
                   - value(before, "warehouse_api_queries_finished_total{outcome=\"succeeded\"}")).isEqualTo(1);
        assertThat(value(after, "warehouse_api_time_to_first_page_seconds_count")
                   - value(before, "warehouse_api_time_to_first_page_seconds_count")).isEqualTo(1);
        assertThat(value(after, "warehouse_api_page_latency_seconds_count")
                   - value(before, "warehouse_api_page_latency_seconds_count")).isEqualTo(1);
        assertThat(value(after, "warehouse_api_pages_served_total") - value(before, "warehouse_api_pages_served_total"))
                .isEqualTo(2);
        assertThat(value(after, "warehouse_api_rows_served_total") - value(before, "warehouse_api_rows_served_total"))
                .isEqualTo(20);
        assertThat(value(after, "warehouse_api_warehouse_polls_total")).isPositive();
        assertThat(value(after, "warehouse_api_queries_in_flight")).isZero();
        assertThat(after).contains("warehouse_api_time_to_first_page_seconds_bucket");
        assertThat(after).contains("jvm_threads_live_threads");
    }

    static double value(String metrics, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
