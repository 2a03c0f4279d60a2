package io.warehouseapi.store;

import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

/**
 * The pages of stored results most recently read, already shaped as JSON, up to a number of bytes
 * ({@code results.page-cache.max-bytes}; 0 keeps none). A stored result never changes, so a page read again (the
 * first page, a page several viewers read, a page returned to) is sent without reading or shaping it again. Its
 * hits, misses and evictions are meters ({@code cache_gets}, {@code cache_evictions}, ... tagged
 * {@code cache=result_pages}).
 */
public final class PageCache {

    private record Key(String queryId, long offset, int pageSize) {
    }

    private final Cache<Key, Page> pages;

    public PageCache(long maxBytes) {
        pages = maxBytes <= 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                // a page's JSON is ASCII but for the odd character: one byte a character in a compact string
                .weigher((Key key, Page page) -> page.rowsJson().length() + 64)
                .recordStats()
                // evictions are done by the threads that read and write, not by a pool of their own
                .executor(Runnable::run)
                .build();
    }

    /** The page at {@code offset} of a query's result, from the cache or else from {@code read}. */
    public Page get(String queryId, long offset, int pageSize, Supplier<Page> read) {
        if (pages == null) {
            return read.get();
        }
        Key key = new Key(queryId, offset, pageSize);
        Page page = pages.getIfPresent(key);
        if (page == null) {
            // read outside the cache's locks: two readers of one page at once may both read it
            page = read.get();
            pages.put(key, page);
        }
        return page;
    }

    /** Forgets a query's pages, when its result is dropped. */
    public void invalidate(String queryId) {
        if (pages != null) {
            pages.asMap().keySet().removeIf(key -> key.queryId().equals(queryId));
        }
    }

    /** Publishes the cache's meters. */
    public void bindTo(MeterRegistry registry) {
        if (pages != null) {
            CaffeineCacheMetrics.monitor(registry, pages, "result_pages");
        }
    }

    /** Pages held. */
    public long size() {
        return pages == null ? 0 : pages.estimatedSize();
    }
}
