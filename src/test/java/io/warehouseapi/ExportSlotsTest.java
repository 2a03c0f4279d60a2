package io.warehouseapi;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Export download slots are shared fairly: a link is downloaded once at a time, one owner's links hold at most
 * api.export.max-concurrent-per-principal slots, and another owner is served meanwhile.
 */
class ExportSlotsTest extends ApiTestSupport {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.export.max-concurrent", "4");
        properties.setProperty("api.export.max-concurrent-per-principal", "2");
        properties.setProperty("api.export.stall-timeout", "PT30S");
    }

    private static String link(WsClient ws, String queryId) {
        return ws.request("{\"action\":\"export\",\"query_id\":\"" + queryId + "\",\"format\":\"csv\"}")
                .path("url").asText();
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + url))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void neither_one_link_nor_one_owner_holds_every_slot() throws Exception {
        try (WsClient ana = connect(); WsClient bob = connect()) {
            String bulky = ana.runView("bulky_vw", "").path("query_id").asText();
            String link = link(ana, bulky);
            try (Socket first = ExportTest.stalledDownload(port(), link)) {
                HttpResponse<String> again = get(link);
                assertThat(again.statusCode()).isEqualTo(429);
                assertThat(again.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(again.body()).contains("downloaded once at a time");

                try (Socket second = ExportTest.stalledDownload(port(), link(ana, bulky))) {
                    HttpResponse<String> third = get(link(ana, bulky));
                    assertThat(third.statusCode()).isEqualTo(429);
                    assertThat(third.body()).contains("api.export.max-concurrent-per-principal");

                    // another owner is served while ana holds her share
                    String small = bob.runView("question_vw", "").path("query_id").asText();
                    HttpResponse<String> bobs = get(link(bob, small));
                    assertThat(bobs.statusCode()).isEqualTo(200);
                    assertThat(bobs.body()).hasLineCount(201);
                }
            }
        }
    }
}
