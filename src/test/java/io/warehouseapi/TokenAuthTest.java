package io.warehouseapi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys ({@code api.auth.mode=token}): a key from the hashed file or the plain list, given in an auth message or an
 * Authorization header, signs a connection in as its principal; a query id is usable by that principal only, on any
 * of its connections; a request without a valid key gets UNAUTHORIZED and the connection is closed.
 */
class TokenAuthTest extends ApiTestSupport {

    static final String ALICE_KEY = "alice-key-0123456789abcdefghij";
    static final String BOB_KEY = "bob-key-0123456789abcdefghijklm";
    static final String CAROL_KEY = "carol-key-from-the-environment-0123";

    @Override
    protected void overrideProperties(Properties properties) {
        try {
            Path file = filesDir().resolve("api-keys.txt");
            Files.writeString(file, "# principal:sha256 of the key\nalice:sha256:" + sha256(ALICE_KEY) + "\n"
                                    + "bob:sha256:" + sha256(BOB_KEY) + "\n");
            properties.setProperty("api.auth.mode", "token");
            properties.setProperty("api.auth.tokens-file", file.toString());
            properties.setProperty("api.auth.tokens", "carol:" + CAROL_KEY);
            properties.setProperty("api.auth.timeout", "PT2S");
            properties.setProperty("api.auth.close-grace", "PT0.2S");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private WsClient signedIn(String key, String principal) {
        WsClient ws = connect();
        JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + key + "\",\"request_id\":\"a1\"}");
        assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("authenticated");
        assertThat(reply.path("principal").asText()).isEqualTo(principal);
        assertThat(reply.path("request_id").asText()).isEqualTo("a1");
        return ws;
    }

    @Test
    void a_request_before_authenticating_is_unauthorized_and_the_connection_is_closed() {
        try (WsClient ws = connect()) {
            JsonNode reply = ws.request("{\"action\":\"list_views\",\"request_id\":\"r1\"}");
            assertThat(reply.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(reply.path("request_id").asText()).isEqualTo("r1");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void a_wrong_key_is_unauthorized_and_the_connection_is_closed() {
        try (WsClient ws = connect()) {
            JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + ALICE_KEY + "x\"}");
            assertThat(reply.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(reply.toString()).doesNotContain(ALICE_KEY);
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void metrics_and_detailed_health_need_a_credential_and_the_probes_stay_open() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> get = (path, key) -> {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port() + path));
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            try {
                return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        for (String path : new String[] {"/observe/metrics", "/observe/health", "/observe/health/ready?exposureLevel=full",
                                         "/observe/health/live?exposureLevel=full", "/observe/info"}) {
            java.net.http.HttpResponse<String> anonymous = get.apply(path, null);
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.body()).as(path).isEmpty();
        }
        assertThat(get.apply("/observe/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(get.apply("/observe/health/live", null).statusCode()).isEqualTo(200);
        java.net.http.HttpResponse<String> metrics = get.apply("/observe/metrics", ALICE_KEY);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_threads_live_threads");
        assertThat(get.apply("/observe/health/ready?exposureLevel=full", ALICE_KEY).body()).contains("warehouse");
    }

    @Test
    void after_a_refused_key_the_connection_gets_no_second_guess() {
        try (WsClient ws = connect()) {
            ws.send("{\"action\":\"auth\",\"token\":\"" + ALICE_KEY + "x\",\"request_id\":\"g1\"}");
            JsonNode first = ws.next("error");
            // the right key, sent once the first was refused, within the close grace: not evaluated
            ws.send("{\"action\":\"auth\",\"token\":\"" + ALICE_KEY + "\",\"request_id\":\"g2\"}");
            JsonNode second = ws.next("error");
            assertThat(first.path("request_id").asText()).isEqualTo("g1");
            assertThat(second.path("request_id").asText()).isEqualTo("g2");
            assertThat(second.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(second.path("message").asText()).contains("connect again");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void a_connection_that_does_not_authenticate_in_time_is_closed() {
        try (WsClient ws = connect()) {
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void a_key_from_the_file_or_the_plain_list_signs_in_and_runs_a_view() {
        try (WsClient alice = signedIn(ALICE_KEY, "alice"); WsClient carol = signedIn(CAROL_KEY, "carol")) {
            assertThat(alice.runView("trip_weather_vw", "").path("row_count").asInt()).isEqualTo(100);
            assertThat(carol.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
        }
    }

    @Test
    void an_authorization_header_signs_in_without_an_auth_message() {
        try (WsClient ws = WsClient.connectWithHeaders(port(), Map.of("Authorization", "Bearer " + BOB_KEY))) {
            assertThat(ws.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
        }
        try (WsClient ws = WsClient.connectWithHeaders(port(), Map.of("Authorization", "Bearer not-a-key"))) {
            assertThat(ws.request("{\"action\":\"list_views\"}").path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void a_query_belongs_to_its_principal_on_any_connection_and_to_no_one_else() {
        String queryId;
        try (WsClient first = signedIn(ALICE_KEY, "alice")) {
            queryId = first.runView("weather_vw", "").path("query_id").asText();
        }
        // the connection that started it has closed; the principal reads it from another
        try (WsClient second = signedIn(ALICE_KEY, "alice"); WsClient bob = signedIn(BOB_KEY, "bob")) {
            JsonNode page = second.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":100}");
            assertThat(page.path("type").asText()).as(page.toString()).isEqualTo("results");
            assertThat(page.path("offset").asLong()).isEqualTo(100);
            assertThat(second.request("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}")
                    .path("status").asText()).isEqualTo("SUCCESS");
            for (String action : new String[] {"fetch_results", "query_status", "cancel"}) {
                JsonNode reply = bob.request("{\"action\":\"" + action + "\",\"query_id\":\"" + queryId + "\"}");
                assertThat(reply.path("code").asText()).as(action).isEqualTo("QUERY_NOT_FOUND");
                assertThat(reply.path("message").asText()).as(action)
                        .isEqualTo(bob.request("{\"action\":\"" + action + "\",\"query_id\":\"no-such-id\"}")
                                .path("message").asText());
            }
            assertThat(second.request("{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}")
                    .path("status").asText()).as("bob's cancel changed nothing").isEqualTo("SUCCESS");
        }
    }

    @Test
    void a_second_auth_as_another_principal_is_refused_and_the_first_stays() {
        try (WsClient ws = signedIn(ALICE_KEY, "alice")) {
            JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + BOB_KEY + "\"}");
            assertThat(reply.path("code").asText()).isEqualTo("BAD_REQUEST");
            assertThat(ws.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
            assertThat(ws.drain(Duration.ofMillis(300))).isEmpty();
            assertThat(ws.isClosedByServer()).isFalse();
        }
    }
}
