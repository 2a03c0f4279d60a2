package io.warehouseapi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fair shares per tenant ({@code tenant_claim}, {@code tenant_queries} in the access policies): a tenant's principals
 * together may have so many queries running or waiting, one more is refused, and another tenant is served meanwhile.
 */
class TenantQueriesTest extends ApiTestSupport {

    private static final String ACME_1 = "acme-one-key-0123456789abcdefghij";
    private static final String ACME_2 = "acme-two-key-0123456789abcdefghij";
    private static final String GLOBEX = "globex-key-0123456789abcdefghijkl";

    @Override
    protected void overrideProperties(Properties properties) {
        try {
            Path keys = filesDir().resolve("tenant-keys.txt");
            Files.writeString(keys, "ann:" + ACME_1 + " {\"roles\":\"worker\",\"org\":\"acme\"}\n"
                                    + "abe:" + ACME_2 + " {\"roles\":\"worker\",\"org\":\"acme\"}\n"
                                    + "gus:" + GLOBEX + " {\"roles\":\"worker\",\"org\":\"globex\"}\n",
                    StandardCharsets.UTF_8);
            Path policies = filesDir().resolve("tenant-policies.yaml");
            Files.writeString(policies, """
                    tenant_claim: org
                    tenant_queries: 2
                    roles:
                      worker:
                        views:
                          SLOW_VW: {}
                          TRIP_WEATHER_VW: {}
                    """, StandardCharsets.UTF_8);
            properties.setProperty("api.auth.mode", "token");
            properties.setProperty("api.auth.tokens-file", keys.toString());
            properties.setProperty("api.access.policies-file", policies.toString());
            // room for one more than a tenant's share
            properties.setProperty("warehouse.max-concurrent-queries", "3");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private WsClient signedIn(String key) {
        WsClient ws = connect();
        assertThat(ws.request("{\"action\":\"auth\",\"token\":\"" + key + "\"}").path("type").asText())
                .isEqualTo("authenticated");
        return ws;
    }

    @Test
    void a_tenant_has_its_share_across_its_principals_and_another_tenant_is_served_meanwhile() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        try (WsClient ann = signedIn(ACME_1); WsClient abe = signedIn(ACME_2); WsClient gus = signedIn(GLOBEX)) {
            String first = null;
            for (int i = 0; i < 2; i++) {
                // two different questions: two warehouse queries
                ann.send("{\"action\":\"run_view\",\"view_name\":\"slow_vw\",\"request_id\":\"s" + i + "\""
                         + (i == 0 ? "" : ",\"filters\":{\"column\":\"total\",\"op\":\"not_null\"}") + "}");
                ann.next("submitted");
                String queryId = ann.next("running").path("query_id").asText();
                first = first == null ? queryId : first;
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 2);

            // the tenant's third, from another of its principals: refused, naming the tenant's share
            abe.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\"}");
            abe.next("submitted");
            JsonNode refused = abe.next("error");
            assertThat(refused.path("code").asText()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(refused.path("message").asText()).contains("tenant").contains("tenant_queries");

            // another tenant is served at once
            assertThat(gus.runView("trip_weather_vw", "").path("row_count").asInt()).isEqualTo(100);

            // once one of the tenant's queries ends, it may ask again
            ann.send("{\"action\":\"cancel\",\"query_id\":\"" + first + "\"}");
            java.util.Set<String> types = new java.util.HashSet<>();
            while (types.size() < 2) {
                String type = ann.next().path("type").asText();
                if (!type.equals("progress")) {
                    types.add(type);
                }
            }
            assertThat(types).containsExactlyInAnyOrder("cancelled", "error");
            assertThat(abe.runView("trip_weather_vw", "").path("row_count").asInt()).isEqualTo(100);
        }
    }
}
