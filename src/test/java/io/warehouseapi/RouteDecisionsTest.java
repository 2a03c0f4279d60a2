package io.warehouseapi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The decisions the routes carry, watched at the routes themselves: the exchanges each route took (Camel's route
 * policy meters) and Camel's {@link NotifyBuilder}:
 * {@code receive-request} sends each action to its own route and to no other; {@code run_view} is acknowledged on the
 * caller and ended by the {@code run-view} route behind the queue; a frame that fails validation, or names no action,
 * reaches no action route; a connection that closes is released by {@code close-connection}.
 */
class RouteDecisionsTest extends ApiTestSupport {

    private static final List<String> ACTION_ROUTES = List.of("run-view", "fetch-results", "cancel-query",
            "query-status", "list-views", "export-result");

    /** How many exchanges each route has taken, from Camel's route policy meters. */
    private Map<String, Double> exchangesByRoute() {
        Map<String, Double> counts = new LinkedHashMap<>();
        for (String route : ACTION_ROUTES) {
            counts.put(route, exchangesOf(route));
        }
        return counts;
    }

    private double exchangesOf(String route) {
        Counter counter = meters().find("camel.exchanges.total").tag("routeId", route).counter();
        return counter == null ? 0 : counter.count();
    }

    private MeterRegistry meters() {
        return context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
    }

    /** Waits until no exchange is in flight in any route, so that one test's exchanges end before the next counts. */
    private void awaitQuiet() {
        await().atMost(Duration.ofSeconds(10)).until(() -> context.getInflightRepository().size() == 0);
    }

    /** The routes the exchanges since {@code before} went through, and how many each. */
    private Map<String, Double> since(Map<String, Double> before) {
        Map<String, Double> ran = new LinkedHashMap<>();
        exchangesByRoute().forEach((route, count) -> {
            if (count > before.get(route)) {
                ran.put(route, count - before.get(route));
            }
        });
        return ran;
    }

    /** Once the expected route has taken the request's exchange, it is the only action route that did. */
    private void assertOnly(Map<String, Double> before, String expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(since(before)).as("action routes that took the request").containsKey(expected));
        awaitQuiet();
        assertThat(since(before)).as("action routes that took the request").isEqualTo(Map.of(expected, 1.0));
    }

    @Test
    void each_action_reaches_its_own_route_and_no_other() {
        try (WsClient client = connect()) {
            awaitQuiet();
            Map<String, Double> before = exchangesByRoute();
            String queryId = client.runView("weather_vw", ",\"page_size\":1").path("query_id").asText();
            assertOnly(before, "run-view");

            Map<String, String> requests = new LinkedHashMap<>();
            requests.put("fetch-results", "{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\"}");
            requests.put("query-status", "{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}");
            requests.put("cancel-query", "{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            requests.put("list-views", "{\"action\":\"list_views\"}");
            requests.put("export-result", "{\"action\":\"export\",\"query_id\":\"" + queryId + "\",\"format\":\"csv\"}");
            requests.forEach((route, request) -> {
                Map<String, Double> sent = exchangesByRoute();
                JsonNode reply = client.request(request);
                assertThat(reply.path("type").asText()).as("%s", reply).isNotEqualTo("error");
                assertOnly(sent, route);
            });
        }
    }

    @Test
    void run_view_is_acknowledged_before_its_route_ends_it_behind_the_queue() {
        awaitQuiet();
        try (WsClient client = connect()) {
            NotifyBuilder ended = new NotifyBuilder(context).fromRoute("run-view").whenExactlyDone(1).create();
            client.send("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"page_size\":1}");
            client.next("submitted");
            client.next("running");
            client.await("results");
            // the run-view route consumes the queue: its exchange is its own, done once the first page is sent
            assertThat(ended.matches(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void a_request_that_fails_validation_or_names_no_action_reaches_no_action_route() {
        try (WsClient client = connect()) {
            awaitQuiet();
            Map<String, Double> before = exchangesByRoute();
            double received = exchangesOf("receive-request");
            assertThat(client.request("{\"action\":\"run_view\"}").path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(client.request("{\"action\":\"drop_table\",\"view_name\":\"weather_vw\"}").path("type").asText())
                    .isEqualTo("error");
            assertThat(client.request("{\"action\":\"fetch_results\",\"offset\":0}").path("code").asText())
                    .isEqualTo("BAD_REQUEST");
            awaitQuiet();
            assertThat(exchangesOf("receive-request") - received).as("frames receive-request took").isEqualTo(3);
            assertThat(since(before)).as("action routes that took a request").isEmpty();
        }
    }

    @Test
    void a_connection_that_closes_is_released_by_close_connection() {
        awaitQuiet();
        double released = exchangesOf("close-connection");
        try (WsClient client = connect()) {
            assertThat(client.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> exchangesOf("close-connection") - released == 1);
    }
}
