package io.warehouseapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Editing the flow while the application runs, with route reload on a copy of src/main/routes: a changed
 * flow.properties and a new action in YAML take effect within seconds, without Java or a restart.
 */
class RouteReloadTest extends ApiTestSupport {

    private Path routes;

    private Path routes() {
        if (routes == null) {
            routes = Path.of("target", "test-routes", getClass().getSimpleName()).toAbsolutePath();
            try {
                if (Files.exists(routes)) {
                    try (Stream<Path> files = Files.walk(routes)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
                Files.createDirectories(routes);
                try (Stream<Path> files = Files.list(Path.of("src", "main", "routes"))) {
                    for (Path file : files.toList()) {
                        Files.copy(file, routes.resolve(file.getFileName()));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return routes;
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "classpath:application.properties,file:" + routes().resolve("flow.properties");
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("camel.main.routes-include-pattern", "file:" + routes() + "/*.yaml");
        properties.setProperty("camel.main.routes-reload-enabled", "true");
        properties.setProperty("camel.main.routes-reload-directory", routes().toString());
        properties.setProperty("camel.main.routes-reload-pattern", "*.yaml,*.properties");
    }

    @Test
    void the_submitted_wording_changed_in_flow_properties_is_live() throws Exception {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .untilAsserted(() -> assertThat(submittedMessage()).isEqualTo("Request submitted. Please wait..."));
        Path flow = routes().resolve("flow.properties");
        save(flow, Files.readString(flow).replace("api.submitted-message = Request submitted. Please wait...",
                "api.submitted-message = On it."));
        // while the routes are rebuilt the endpoint is briefly away: connection failures are retried too
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .untilAsserted(() -> assertThat(submittedMessage()).isEqualTo("On it."));
    }

    @Test
    void an_action_added_in_yaml_alone_is_served() throws Exception {
        save(routes().resolve("row-count.camel.yaml"), """
                # row_count: the number of rows of a finished query of this connection.
                - route:
                    id: row-count
                    description: Reports the row count of a finished query
                    routeConfigurationId: api-error-replies
                    from:
                      uri: direct:row-count
                      steps:
                        - setProperty:
                            name: queryId
                            simple: "${exchangeProperty.request.queryId}"
                        - setBody:
                            method:
                              ref: queries
                              method: "readPage(${exchangeProperty.owner}, ${exchangeProperty.request})"
                        - setBody:
                            simple: '{"type":"row_count","query_id":"${body.queryId}","total_rows":${body.page.totalRows}}'
                        - to: direct:send-reply
                """);
        Path ingress = routes().resolve("receive-request.camel.yaml");
        save(ingress, Files.readString(ingress).replace("""
                              - simple: "${exchangeProperty.action} == 'list_views'"
                                steps:
                                  - to: direct:list-views
                """, """
                              - simple: "${exchangeProperty.action} == 'list_views'"
                                steps:
                                  - to: direct:list-views
                              - simple: "${exchangeProperty.action} == 'row_count'"
                                steps:
                                  - to: direct:row-count
                """));
        // the probe starts no query (a reload waits for running queries): before the reload the action is unknown,
        // after it the new route answers, here that no such query exists
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            try (WsClient client = connect()) {
                JsonNode reply = client.request("{\"action\":\"row_count\",\"query_id\":\"none\"}");
                assertThat(reply.path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
            }
        });
        // each saved file triggers a reload, which takes the endpoint away briefly: the check rides over them
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
            // row_count is this test's own action, not the shipped protocol's: its reply is not in the contract
            try (WsClient client = connect().outsideTheContract("row_count")) {
                String queryId = client.runView("weather_vw", ",\"page_size\":1").path("query_id").asText();
                JsonNode count = client.request("{\"action\":\"row_count\",\"query_id\":\"" + queryId + "\"}");
                assertThat(count.path("type").asText()).isEqualTo("row_count");
                assertThat(count.path("total_rows").asLong()).isEqualTo(8760);
            }
        });
    }

    /** The submitted reply's text, from a run_view that starts no query (a reload waits for running queries). */
    private String submittedMessage() {
        try (WsClient client = connect()) {
            JsonNode submitted = client.request("{\"action\":\"run_view\",\"view_name\":\"no_such_view\"}");
            assertThat(client.next("error").path("code").asText()).isEqualTo("VIEW_NOT_FOUND");
            return submitted.path("message").asText();
        }
    }

    /** Writes a file whole, as an editor's save does: the watcher sees its complete content at once. */
    private static void save(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".saving");
        Files.writeString(temporary, content);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
