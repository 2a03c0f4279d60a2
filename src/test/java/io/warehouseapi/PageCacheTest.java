package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.store.PageCache;
import io.warehouseapi.store.ResultStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pages read are kept, shaped, in the page cache: a page read again is the same page, pages of other offsets or sizes
 * are pages of their own, rows keep the result's order whichever read they come from, and a dropped result leaves
 * no page behind.
 */
class PageCacheTest extends ApiTestSupport {

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("results.retention", "PT3S");
        properties.setProperty("results.eviction-interval", "200");
        properties.setProperty("results.reuse-window", "PT1S");
    }

    @Test
    void a_page_read_again_comes_from_the_cache_and_a_dropped_result_leaves_none() {
        PageCache cache = bean("pageCache", PageCache.class);
        ResultStore store = bean("resultStore", ResultStore.class);
        try (WsClient client = connect()) {
            JsonNode first = client.runView("weather_vw", ",\"page_size\":20");
            String queryId = first.path("query_id").asText();
            long cached = cache.size();
            assertThat(cached).as("the first page is kept").isGreaterThanOrEqualTo(1);

            JsonNode again = fetch(client, queryId, 0, 20);
            assertThat(again.path("results")).isEqualTo(first.path("results"));
            assertThat(again.path("row_count").asInt()).isEqualTo(20);
            assertThat(cache.size()).as("read again, nothing new is kept").isEqualTo(cached);

            // other offsets and sizes are pages of their own, with rows in the result's order
            JsonNode secondHalf = fetch(client, queryId, 10, 10);
            JsonNode firstFive = fetch(client, queryId, 0, 5);
            assertThat(cache.size()).isEqualTo(cached + 2);
            for (int i = 0; i < 10; i++) {
                assertThat(secondHalf.path("results").get(i)).isEqualTo(first.path("results").get(10 + i));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(firstFive.path("results").get(i)).isEqualTo(first.path("results").get(i));
            }

            await().atMost(Duration.ofSeconds(15)).until(() -> store.size() == 0);
            assertThat(cache.size()).as("the dropped result's pages").isZero();
            assertThat(fetch(client, queryId, 0, 20).path("code").asText()).isEqualTo("QUERY_NOT_FOUND");
        }
    }

    private static JsonNode fetch(WsClient client, String queryId, long offset, int pageSize) {
        return client.request("{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":" + offset
                              + ",\"page_size\":" + pageSize + "}");
    }
}
