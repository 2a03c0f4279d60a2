package io.warehouseapi.metrics;

import java.time.Duration;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The API's own meters, on the Prometheus registry that camel-micrometer-prometheus serves at /observe/metrics beside
 * Camel's route and JVM metrics.
 */
public class ApiMetrics {

    private final MeterRegistry registry;
    private final Counter started;
    private final Counter polls;
    private final Counter pages;
    private final Counter rows;
    private final Timer firstPage;
    private final Timer pageLatency;

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder("warehouse_api_queries_started").description("Queries submitted to the warehouse")
                .register(registry);
        this.polls = Counter.builder("warehouse_api_warehouse_polls").description("Status polls of running queries")
                .register(registry);
        this.pages = Counter.builder("warehouse_api_pages_served").description("Pages of results sent")
                .register(registry);
        this.rows = Counter.builder("warehouse_api_rows_served").description("Rows of results sent")
                .register(registry);
        this.firstPage = Timer.builder("warehouse_api_time_to_first_page")
                .description("From run_view to its first page, ready to send")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry);
        this.pageLatency = Timer.builder("warehouse_api_page_latency")
                .description("Reading one page of a finished query for fetch_results")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** A gauge read from the application when Prometheus scrapes. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** A counter kept by the application (a count that only grows), read when Prometheus scrapes. */
    public void counter(String name, String description, java.util.function.ToDoubleFunction<Object> value,
                        Object source) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, value).description(description)
                .register(registry);
    }

    public void queryStarted() {
        started.increment();
    }

    /** A query ended; {@code outcome} is succeeded, failed, cancelled or timeout. */
    public void queryFinished(String outcome) {
        Counter.builder("warehouse_api_queries_finished").description("Queries that ended, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A {@code run_view} was answered: {@code how} is fresh (a new warehouse query), shared or reused. */
    public void runView(String how) {
        Counter.builder("warehouse_api_run_views").description("run_view requests, by how they were answered")
                .tag("how", how).register(registry).increment();
    }

    /** An export download started, in {@code format} (csv, ndjson or parquet). */
    public void export(String format) {
        Counter.builder("warehouse_api_exports").description("Export downloads started, by format")
                .tag("format", format).register(registry).increment();
    }

    /** Bytes of exports sent. */
    public void exported(long bytes) {
        Counter.builder("warehouse_api_export_bytes").description("Bytes of export downloads sent")
                .register(registry).increment(bytes);
    }

    public void polled() {
        polls.increment();
    }

    public void firstPage(long nanos, int rowCount) {
        firstPage.record(Duration.ofNanos(nanos));
        pageServed(rowCount);
    }

    public void page(long nanos, int rowCount) {
        pageLatency.record(Duration.ofNanos(nanos));
        pageServed(rowCount);
    }

    private void pageServed(int rowCount) {
        pages.increment();
        rows.increment(rowCount);
    }
}
