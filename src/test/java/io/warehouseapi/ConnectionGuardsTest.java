package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.warehouseapi.transport.Connections;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The guards on a connection's resources, against real peers on a bare socket: a reader that never reads is
 * disconnected once its unsent replies pass api.max-outbound-bytes, instead of growing the server's memory; a peer
 * that never answers a ping is closed after one ping interval; a client that does answer stays connected.
 */
class ConnectionGuardsTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.max-outbound-bytes", "2000000");
        properties.setProperty("api.ping-interval", "700");
    }

    @Test
    void a_reader_that_never_reads_is_disconnected() throws Exception {
        Connections connections = bean("connections", Connections.class);
        long before = connections.slowReaderCount();
        try (RawWebSocket raw = new RawWebSocket(port())) {
            raw.sendText("{\"action\":\"run_view\",\"view_name\":\"weather_vw\",\"page_size\":1}");
            String queryId = null;
            Pattern id = Pattern.compile("\"type\":\"results\",\"query_id\":\"([^\"]+)\"");
            while (queryId == null) {
                Matcher matcher = id.matcher(raw.nextText());
                queryId = matcher.find() ? matcher.group(1) : null;
            }
            // from now on it reads nothing: ~1,000 pages of 1,000 rows are asked for and left unread
            for (int i = 0; i < 1000; i++) {
                raw.sendText("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"page_size\":1000}");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> connections.slowReaderCount() > before);
        }
    }

    @Test
    void a_peer_that_never_answers_a_ping_is_closed_and_one_that_does_stays() throws Exception {
        Connections connections = bean("connections", Connections.class);
        long before = connections.unansweredPingCount();
        try (RawWebSocket silent = new RawWebSocket(port()); WsClient answering = connect()) {
            silent.sendText("{\"action\":\"list_views\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> connections.unansweredPingCount() > before);
            assertThat(answering.isClosedByServer()).isFalse();
            Thread.sleep(1500); // two more ping intervals
            assertThat(answering.isClosedByServer()).isFalse();
            assertThat(answering.request("{\"action\":\"list_views\"}").path("type").asText()).isEqualTo("views");
        }
    }
}
