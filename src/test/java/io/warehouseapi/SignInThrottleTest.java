package io.warehouseapi;

import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused credentials are limited per source address: after api.auth.failures.free refusals from 127.0.0.1, even the
 * right key is not evaluated until the address has waited, each wait counted in a metric; the guesses never appear
 * in a reply.
 */
class SignInThrottleTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.auth.mode", "token");
        properties.setProperty("api.auth.tokens", "alice:" + TokenAuthTest.ALICE_KEY);
        properties.setProperty("api.auth.close-grace", "PT0.2S");
        properties.setProperty("api.auth.failures.free", "2");
        properties.setProperty("api.auth.failures.first-wait", "PT1M");
    }

    @Test
    void after_the_free_refusals_an_address_waits_before_any_credential_is_evaluated() throws Exception {
        for (int i = 0; i < 2; i++) {
            try (WsClient ws = connect()) {
                JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"guess-" + i + "-0123456789abcdef\"}");
                assertThat(reply.path("code").asText()).isEqualTo("UNAUTHORIZED");
                assertThat(reply.toString()).doesNotContain("guess-");
                assertThat(ws.awaitClose()).isEqualTo(1008);
            }
        }
        try (WsClient ws = connect()) {
            JsonNode reply = ws.request("{\"action\":\"auth\",\"token\":\"" + TokenAuthTest.ALICE_KEY + "\"}");
            assertThat(reply.path("code").asText()).isEqualTo("UNAUTHORIZED");
            assertThat(reply.path("message").asText()).startsWith("Too many refused credentials from this address");
            assertThat(ws.awaitClose()).isEqualTo(1008);
        }
        // the metrics as Prometheus reads them (the HTTP endpoint itself needs a credential, which this address may
        // not present for a while)
        io.micrometer.core.instrument.MeterRegistry meters = bean("metricsRegistry",
                io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(meters.get("warehouse_api_auth_refused").functionCounter().count()).isEqualTo(2.0);
        assertThat(meters.get("warehouse_api_auth_throttled").functionCounter().count()).isEqualTo(1.0);
    }
}
