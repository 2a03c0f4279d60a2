package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.auth.Jwts;
import io.warehouseapi.snowflake.TestKeys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWTs ({@code api.auth.mode=jwt}, RS256 with a JWKS file): the subject becomes the principal, over an auth message
 * or an Authorization header; an expired token, or one for another audience, is UNAUTHORIZED; and a request after the
 * token expired during the session is UNAUTHORIZED too.
 */
class JwtAuthTest extends ApiTestSupport {

    private KeyPair keys;

    @Override
    protected void overrideProperties(Properties properties) {
        try {
            keys = TestKeys.rsa();
            Path jwks = filesDir().resolve("jwks.json");
            Files.writeString(jwks, Jwts.jwks(keys, "key-1"));
            properties.setProperty("api.auth.mode", "jwt");
            properties.setProperty("api.auth.jwt.algorithm", "RS256");
            properties.setProperty("api.auth.jwt.jwks-file", jwks.toString());
            properties.setProperty("api.auth.jwt.issuer", Jwts.ISSUER);
            properties.setProperty("api.auth.jwt.audience", Jwts.AUDIENCE);
            properties.setProperty("api.auth.jwt.clock-skew", "0");
            properties.setProperty("api.auth.close-grace", "PT0.2S");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String token(String subject, Instant expiry) throws Exception {
        return Jwts.rs256(Jwts.claims(subject, expiry).build(), keys, "key-1");
    }

    @Test
    void a_valid_token_signs_in_as_its_subject() throws Exception {
        try (WsClient ws = connect()) {
            JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + token("dana@example.com",
                    Instant.now().plusSeconds(300)) + "\"}");
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("authenticated");
            assertThat(reply.path("principal").asText()).isEqualTo("dana@example.com");
            assertThat(ws.runView("weather_vw", "").path("row_count").asInt()).isEqualTo(100);
        }
        try (WsClient ws = WsClient.connectWithHeaders(port(),
                Map.of("Authorization", "Bearer " + token("erin", Instant.now().plusSeconds(300))))) {
            assertThat(ws.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
        }
    }

    @Test
    void an_expired_token_or_another_audience_is_unauthorized() throws Exception {
        try (WsClient ws = connect()) {
            JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + token("dana",
                    Instant.now().minusSeconds(5)) + "\"}");
            assertThat(reply.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(reply.path("message").asText()).contains("expired");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
        try (WsClient ws = connect()) {
            String other = Jwts.rs256(Jwts.claims("dana", Instant.now().plusSeconds(300)).audience("other").build(),
                    keys, "key-1");
            assertThat(ws.request("{\"action\":\"auth\",\"token\":\"" + other + "\"}").path("code").asText())
                    .isEqualTo("UNAUTHORIZED");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    @Test
    void a_request_after_the_token_expired_is_unauthorized() throws Exception {
        try (WsClient ws = connect()) {
            ws.request("{\"action\":\"auth\",\"token\":\"" + token("frank", Instant.now().plusSeconds(2)) + "\"}");
            assertThat(ws.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> expired(ws));
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
    }

    private static boolean expired(WsClient ws) {
        JsonNode reply = ws.request("{\"action\":\"list_views\"}");
        return "UNAUTHORIZED".equals(reply.path("code").asText());
    }
}
