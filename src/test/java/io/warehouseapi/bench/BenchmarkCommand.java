package io.warehouseapi.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark: the packaged API ({@code java -jar}) on 127.0.0.1 against the embedded warehouse at each scale, next
 * to the engine's own time through plain JDBC on the same database file. Measures time to first page, page latency
 * at the start, middle and end of the largest result, pages per second with 1, 16 and 64 connections, 1,000
 * connections running a view at once, peak heap against result size, start-up, and (JMH) the JSON shaping of a
 * page; writes {@code target/benchmark/report.md} and {@code report.json}.
 *
 * <p>Run it as the README says: {@code mvn -Pbenchmark package}; its settings ({@code bench.*}) and their defaults
 * are in that Maven profile.
 */
public final class BenchmarkCommand {

    private static final String VIEW = "trip_weather_vw";
    private static final String SMALL_VIEW = "weather_vw";
    /** Queries and page requests that warm the server up before anything is timed. */
    private static final int WARM_UP_QUERIES = 20;
    private static final int REUSED_RUNS = 50;
    private static final int WARM_UP_REQUESTS = 2000;
    /** Connections of the throughput run over the large view, whose pages are mostly read from the store. */
    private static final int UNCACHED_CONNECTIONS = 16;
    /** Requests kept in flight at once on one connection in the pipelined throughput run. */
    private static final int IN_FLIGHT = 16;

    /** The server's page cache hits and misses so far, from its metrics. */
    private record CacheGets(double hits, double misses) {
        static CacheGets of(ServerProcess server) throws Exception {
            return new CacheGets(server.metric("cache_gets_total", "{cache=\"result_pages\",result=\"hit\"}"),
                    server.metric("cache_gets_total", "{cache=\"result_pages\",result=\"miss\"}"));
        }

        CacheGets since(CacheGets earlier) {
            return new CacheGets(hits - earlier.hits, misses - earlier.misses);
        }
    }

    private final List<Long> scales = Stream.of(LoadTestCommand.setting("bench.scales").split(","))
            .map(String::strip).map(Long::parseLong).sorted().toList();
    private final int runs = Integer.parseInt(LoadTestCommand.setting("bench.runs"));
    private final int pages = Integer.parseInt(LoadTestCommand.setting("bench.pages"));
    private final Duration throughputTime = Duration.parse(LoadTestCommand.setting("bench.throughput-time"));
    private final List<Integer> throughputConnections = Stream.of(
            LoadTestCommand.setting("bench.throughput-connections").split(",")).map(String::strip)
            .map(Integer::parseInt).toList();
    private final int concurrent = Integer.parseInt(LoadTestCommand.setting("bench.concurrent"));
    private final String heap = LoadTestCommand.setting("bench.heap");
    private final boolean jmh = Boolean.parseBoolean(LoadTestCommand.setting("bench.jmh"));

    private final Path dir = Path.of("target", "benchmark").toAbsolutePath();
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
    private final ObjectNode report = Peer.JSON.createObjectNode();
    private final StringBuilder md = new StringBuilder("# Benchmark\n\n");

    private BenchmarkCommand() {
    }

    public static void main(String[] args) throws Exception {
        BenchmarkCommand command = new BenchmarkCommand();
        try {
            command.run();
        } finally {
            command.clientThreads.shutdownNow();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(dir);
        report.set("machine", Machine.describe());
        report.put("result_store", storeInFile ? "file" : "memory");
        report.put("traces", traced);
        md.append("Result store: ").append(storeInFile ? "a DuckDB file (`results.store-file`)" : "in memory")
                .append(traced ? ". Traces exported over OTLP to a receiver in the benchmark's process" : "")
                .append(".\n\n");
        md.append("Machine: ").append(Machine.line((ObjectNode) report.get("machine"))).append(". Server: `java -Xmx")
                .append(heap).append(" -jar target/warehouse-api.jar`, embedded DuckDB, on 127.0.0.1; client: the "
                                     + "JDK's WebSocket client in another process.\n\n");
        startUpWithGeneration();
        ArrayNode scaleReports = report.putArray("scales");
        for (long trips : scales) {
            scaleReports.add(scale(trips, trips == scales.get(0)));
        }
        if (jmh) {
            jsonShaping();
        }
        Files.writeString(dir.resolve("report.json"),
                Peer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(dir.resolve("report.md"), md.toString());
        System.out.println(md);
        System.out.println("Report: " + dir.resolve("report.md") + " and report.json");
    }

    /** {@code -Dbench.store-file=true} keeps the server's result store in a DuckDB file, to compare with memory. */
    private final boolean storeInFile = Boolean.parseBoolean(System.getProperty("bench.store-file", "false"));
    /**
     * {@code -Dbench.otel=true} runs the server with traces exported over OTLP to a receiver in this process, to
     * measure what tracing costs.
     */
    private final boolean traced = Boolean.parseBoolean(System.getProperty("bench.otel", "false"));
    private io.warehouseapi.OtlpReceiver receiver;

    private Map<String, String> settings(Path data, long trips) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "WAREHOUSE_EMBEDDED_SAMPLE_PATH", data.resolve("warehouse.duckdb").toString(),
                "RESULTS_SPILL_DIRECTORY", data.resolve("results.spill").toString(),
                "WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", Long.toString(trips),
                // the benchmark's many connections come from one address
                "API_RATE_BURST", "100000",
                "API_RATE_PER_SECOND", "100000"));
        if (storeInFile) {
            settings.put("RESULTS_STORE_FILE", data.resolve("results.duckdb").toString());
        }
        if (traced) {
            try {
                if (receiver == null) {
                    receiver = new io.warehouseapi.OtlpReceiver();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            settings.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
            settings.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        }
        return settings;
    }

    /** Process start to ready on a first start, which generates the smallest scale's sample. */
    private void startUpWithGeneration() throws Exception {
        long trips = scales.get(0);
        Path data = dir.resolve("startup-generate");
        deleteTree(data);
        ServerProcess server = ServerProcess.start(dir, "startup-generate", settings(data, trips), heap,
                Duration.ofMinutes(10));
        long millis = server.startToReady().toMillis();
        server.close();
        deleteTree(data);
        report.putObject("startup_generating").put("trips", trips).put("start_to_ready_ms", millis);
        md.append(String.format(Locale.ROOT, "## Start-up%n%nProcess start to ready, first start generating the "
                                             + "%,d-trip sample: **%d ms**.%n", trips, millis));
    }

    private ObjectNode scale(long trips, boolean smallest) throws Exception {
        Path data = dir.resolve("data-" + trips);
        ObjectNode node = Peer.JSON.createObjectNode().put("trips", trips);
        boolean present = Files.isRegularFile(data.resolve("warehouse.duckdb"));
        System.out.printf(Locale.ROOT, "Scale %,d trips (%s)%n", trips, present ? "data present" : "generating");
        ServerProcess server = ServerProcess.start(dir, "server-" + trips, settings(data, trips), heap,
                Duration.ofMinutes(20));
        node.put(present ? "start_to_ready_present_ms" : "start_to_ready_generating_ms",
                server.startToReady().toMillis());
        List<Double> firstPage = new ArrayList<>();
        List<Double> complete = new ArrayList<>();
        Stats pastFirst = new Stats();
        Stats reusedFirstPage = new Stats();
        Instant pagesFrom;
        Instant pagesTo;
        Map<String, Stats> apiPages = new java.util.LinkedHashMap<>();
        Map<String, Double> apiFirstReads = new java.util.LinkedHashMap<>();
        Stats apiDistinct = new Stats();
        List<Long> distinctOffsets;
        double hits;
        double misses;
        long total;
        Map<String, ExportRun> exports = new java.util.LinkedHashMap<>();
        ObjectNode throughput = null;
        ObjectNode concurrency = null;
        ObjectNode concurrencyHundred = null;
        Instant concurrencyFrom = null;
        Instant concurrencyTo = null;
        try {
            Peer peer = connect(server);
            warmUp(peer);
            Peer.Reply last = null;
            for (int i = 0; i < runs; i++) {
                // each fresh run but the last on a connection of its own, closed after its first page: its result is
                // then dropped (a newer one answers its question), as the engine's floor drops its table, so that
                // each run is measured on a server that does not hold the earlier runs' results in its memory
                Peer asker = i < runs - 1 ? connect(server) : peer;
                last = asker.request(Peer.runViewFresh(VIEW)).get(30, TimeUnit.MINUTES);
                require(last, "results");
                firstPage.add(last.micros() / 1000.0);
                complete.add(last.completeMicros() / 1000.0);
                // the page just past the first, asked the moment the first has come
                Peer.Reply next = asker.request(Peer.fetch(last.json().path("query_id").asText(), last.rows()))
                        .get(1, TimeUnit.MINUTES);
                require(next, "results");
                pastFirst.add(next.micros());
                if (asker != peer) {
                    asker.close();
                }
            }
            for (int i = 0; i < REUSED_RUNS; i++) {
                Peer.Reply reused = peer.request(Peer.runView(VIEW)).get(1, TimeUnit.MINUTES);
                require(reused, "results");
                if (!reused.json().path("computed_at").equals(last.json().path("computed_at"))) {
                    throw new IllegalStateException("A run_view within the reuse window ran the view again");
                }
                reusedFirstPage.add(reused.micros());
            }
            total = last.json().path("total_rows").asLong();
            String queryId = last.json().path("query_id").asText();
            distinctOffsets = distinctOffsets(total, pages);
            CacheGets before = CacheGets.of(server);
            pagesFrom = Instant.now();
            for (Map.Entry<String, Long> offset : offsets(total).entrySet()) {
                Stats stats = new Stats();
                for (int i = 0; i < pages; i++) {
                    Peer.Reply page = peer.request(Peer.fetch(queryId, offset.getValue())).get(1, TimeUnit.MINUTES);
                    require(page, "results");
                    if (i == 0) {
                        apiFirstReads.put(offset.getKey(), page.micros() / 1000.0);
                    } else {
                        stats.add(page.micros());
                    }
                }
                apiPages.put(offset.getKey(), stats);
            }
            for (long offset : distinctOffsets) {
                Peer.Reply page = peer.request(Peer.fetch(queryId, offset)).get(1, TimeUnit.MINUTES);
                require(page, "results");
                apiDistinct.add(page.micros());
            }
            pagesTo = Instant.now();
            CacheGets during = CacheGets.of(server).since(before);
            hits = during.hits();
            misses = during.misses();
            for (String format : EXPORT_FORMATS) {
                exports.put(format, exportOnce(server, peer, queryId, format, false, trips));
            }
            if (Files.isExecutable(CURL)) {
                exports.put("csv, gzip", exportOnce(server, peer, queryId, "csv", true, trips));
            }
            peer.close();
            if (smallest) {
                throughput = Peer.JSON.createObjectNode();
                throughput.set(SMALL_VIEW, throughput(server, SMALL_VIEW, throughputConnections, true, 1));
                ObjectNode uncached = throughput(server, VIEW, List.of(UNCACHED_CONNECTIONS), false, 1);
                uncached.setAll(throughput(server, VIEW, List.of(1), false, IN_FLIGHT));
                throughput.set(VIEW, uncached);
                concurrencyHundred = concurrency(server, 100, median(firstPage));
                concurrencyFrom = Instant.now();
                concurrency = concurrency(server, concurrent, median(firstPage));
                concurrencyTo = Instant.now();
            }
        } finally {
            server.close();
        }
        JfrSummary recording = JfrSummary.read(dir.resolve("server-" + trips + ".jfr"));
        node.put("rows", total);
        node.set("api_first_page_ms", doubles(firstPage));
        node.put("api_first_page_median_ms", Stats.round(median(firstPage)));
        node.put("server_peak_heap_while_paging_mib", Stats.round(recording.peakHeapBytes(pagesFrom, pagesTo) / 1048576.0));
        node.put("server_gcs_while_paging", recording.gcCount(pagesFrom, pagesTo));
        ObjectNode hot = node.putObject("server_hot_methods_while_paging");
        recording.hotMethods(pagesFrom, pagesTo, 15, "io.warehouseapi.")
                .forEach((method, share) -> hot.put(method, Stats.round(share)));
        ObjectNode self = node.putObject("server_self_methods_while_paging");
        recording.selfMethods(pagesFrom, pagesTo, 15).forEach((method, share) -> self.put(method, Stats.round(share)));

        // the engine's floor, on the same file, with the server stopped
        List<Double> floorMaterialize;
        List<Double> floorMaterializeFile;
        List<Double> floorFirstRows;
        Map<String, Stats> floorPages = new java.util.LinkedHashMap<>();
        Map<String, Stats> floorPrepared = new java.util.LinkedHashMap<>();
        Stats floorDistinct;
        Stats floorCamelJdbc;
        floorFirstRows = EngineFloor.firstRows(data.resolve("warehouse.duckdb"), VIEW, runs);
        try (EngineFloor floor = new EngineFloor(data.resolve("warehouse.duckdb"), dir.resolve("floor.duckdb"))) {
            floorMaterializeFile = floor.materialize(VIEW, runs, false);
            floorMaterialize = floor.materialize(VIEW, runs, true);
            if (floor.rows() != total) {
                throw new IllegalStateException("The engine materialized " + floor.rows() + " rows, the API " + total);
            }
            for (Map.Entry<String, Long> offset : offsets(total).entrySet()) {
                floorPages.put(offset.getKey(), floor.pages(offset.getValue(), pages));
                floorPrepared.put(offset.getKey(), floor.pagesPrepared(offset.getValue(), pages));
            }
            floorDistinct = floor.pages(distinctOffsets);
            floorCamelJdbc = floor.pagesThroughCamelJdbc(data.resolve("warehouse.duckdb"), distinctOffsets);
            for (ExportRun export : exports.values()) {
                export.checkAndCompare(floor, dir.resolve("engine-export-" + trips + "." + export.format));
            }
        }
        node.set("engine_materialize_ms", doubles(floorMaterialize));
        double engine = median(floorMaterialize);
        double api = median(firstPage);
        node.put("engine_materialize_median_ms", Stats.round(engine));
        node.set("engine_materialize_file_ms", doubles(floorMaterializeFile));
        node.put("engine_materialize_file_median_ms", Stats.round(median(floorMaterializeFile)));
        node.set("api_reused_first_page", reusedFirstPage.toJson());
        double engineFirst = median(floorFirstRows);
        double apiComplete = median(complete);
        node.set("engine_first_100_rows_streamed_ms", doubles(floorFirstRows));
        node.put("engine_first_100_rows_streamed_median_ms", Stats.round(engineFirst));
        node.put("first_page_target_ms", Stats.round(2 * engineFirst + 20));
        node.put("first_page_target_met", api <= 2 * engineFirst + 20);
        node.set("api_complete_ms", doubles(complete));
        node.put("api_complete_median_ms", Stats.round(apiComplete));
        node.put("complete_ratio_to_engine_materialize", Stats.round(apiComplete / engine));
        node.put("complete_target_ms", Stats.round(1.15 * engine + 20));
        node.put("complete_target_met", apiComplete <= 1.15 * engine + 20);
        node.set("api_page_just_past_first", pastFirst.toJson());
        ObjectNode pageNode = node.putObject("pages");
        for (String where : apiPages.keySet()) {
            ObjectNode at = pageNode.putObject(where);
            at.put("api_first_read_ms", Stats.round(apiFirstReads.get(where)));
            at.set("api_read_again", apiPages.get(where).toJson());
            at.set("engine", floorPages.get(where).toJson());
            at.set("engine_prepared_once", floorPrepared.get(where).toJson());
        }
        ObjectNode distinct = pageNode.putObject("distinct_random_pages");
        distinct.put("count", distinctOffsets.size());
        distinct.set("api", apiDistinct.toJson());
        distinct.set("engine", floorDistinct.toJson());
        distinct.set("engine_through_camel_jdbc_step", floorCamelJdbc.toJson());
        pageNode.put("page_cache_hits", Math.round(hits));
        pageNode.put("page_cache_misses", Math.round(misses));

        md.append(String.format(Locale.ROOT, "%n## %,d trips (%,d rows in `%s`)%n%n", trips, total, VIEW));
        md.append(String.format(Locale.ROOT, "Time to first page (`run_view` to its first `results`, `fresh`, "
                                             + "median of %d, after a warm-up of the server): API **%.0f ms**; the "
                                             + "engine's own first 100 rows of the view, streamed through plain JDBC: "
                                             + "%.0f ms; target ≤ 2 × engine + 20 ms = %.0f ms: **%s**.%n%n",
                runs, api, engineFirst, 2 * engineFirst + 20, api <= 2 * engineFirst + 20 ? "met" : "missed"));
        md.append(String.format(Locale.ROOT, "Time to the whole result stored (`run_view` to `complete`, or to a "
                                             + "first page that came complete): API **%.0f ms**; the engine's CTAS "
                                             + "through JDBC into memory %.0f ms (into a database file %.0f ms): "
                                             + "ratio %.3f; target ≤ 1.15 × engine + 20 ms = %.0f ms: **%s**.%n%n",
                apiComplete, engine, median(floorMaterializeFile), apiComplete / engine, 1.15 * engine + 20,
                apiComplete <= 1.15 * engine + 20 ? "met" : "missed"));
        if (complete.equals(firstPage)) {
            md.append(String.format(Locale.ROOT, "Where the time to first page goes: the embedded warehouse stores "
                                                 + "a result whole (one `CREATE TABLE AS`) before its first page "
                                                 + "(every way of storing it from a stream measured slower than "
                                                 + "1.15 × that statement; docs/architecture.md), so the first page "
                                                 + "is the engine's CTAS, %.0f ms, and %.0f ms of the API's own "
                                                 + "around it.%n%n", engine, api - engine));
        } else {
            md.append(String.format(Locale.ROOT, "Where the time goes: the first page went as the engine handed its "
                                                 + "first rows to the statement that stores the result (a function "
                                                 + "of the server's own numbers the rows and keeps the first; "
                                                 + "docs/architecture.md), %.0f ms after the engine's own first 100 "
                                                 + "rows; the whole result is that statement, the engine's CTAS with "
                                                 + "the function called once per 2,048-row chunk, and the API's own "
                                                 + "work around it: %.0f ms over the plain CTAS in all "
                                                 + "(docs/performance.md).%n%n", api - engineFirst,
                    apiComplete - engine));
        }
        md.append(String.format(Locale.ROOT, "The page just past the first (`fetch_results` at offset 100, asked "
                                             + "the moment the first page came), p50 / p99 / max: %s ms. A reused "
                                             + "`run_view` (within the reuse window, %d runs): p50 / p99 / max %s "
                                             + "ms.%n%n", pastFirst.summary(), REUSED_RUNS, reusedFirstPage.summary()));
        md.append(String.format(Locale.ROOT, "`fetch_results` of 100 rows, one connection, one request at a time "
                                             + "(ms). At each offset the same page %d times: its first read, then "
                                             + "p50 / p99 / max of the %d reads again (from the page cache); then "
                                             + "%d distinct pages at random offsets, each read once (from the "
                                             + "store). Page cache while paging: %d hits, %d misses.%n%n",
                pages, pages - 1, distinctOffsets.size(), Math.round(hits), Math.round(misses)));
        md.append("| page | API: first read | API: read again | engine: JDBC prepare, execute, read | engine: "
                  + "execute, read (prepared once) |\n| --- | --- | --- | --- | --- |\n");
        for (String where : apiPages.keySet()) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s | %s |%n", where, apiFirstReads.get(where),
                    apiPages.get(where).summary(), floorPages.get(where).summary(),
                    floorPrepared.get(where).summary()));
        }
        md.append(String.format(Locale.ROOT, "| %d distinct, random | %s | — | %s | — |%n", distinctOffsets.size(),
                apiDistinct.summary(), floorDistinct.summary()));
        md.append(String.format(Locale.ROOT, "%nThe same %d distinct pages through a camel-jdbc `jdbc:` step (a "
                                             + "route on a HikariCP pool, offsets bound from headers, rows to "
                                             + "arrays), p50 / p99 / max: %s ms, against %s ms through plain JDBC: "
                                             + "%+.0f%% at p50.%n", distinctOffsets.size(), floorCamelJdbc.summary(),
                floorDistinct.summary(), 100 * (floorCamelJdbc.percentileMillis(50) / floorDistinct.percentileMillis(50) - 1)));
        md.append(String.format(Locale.ROOT, "%nExports of the whole result (`export`, then a GET of its link, "
                                             + "saved to a file by %s; read back with DuckDB, the count and a hash "
                                             + "sum per column equal the result's), beside DuckDB's own `COPY ... TO` "
                                             + "of the same result, with the server stopped. Bytes as sent; MB/s of "
                                             + "them:%n%n| format | bytes sent | API (ms) | rows/s | MB/s | engine's "
                                             + "COPY (ms) | API / engine | server peak heap (MiB) |%n| --- | --- | "
                                             + "--- | --- | --- | --- | --- | --- |%n", downloader()));
        ObjectNode exportNode = node.putObject("exports");
        node.put("export_client", downloader());
        for (Map.Entry<String, ExportRun> entry : exports.entrySet()) {
            ExportRun export = entry.getValue();
            double peakMib = recording.peakHeapBytes(export.from, export.to) / 1048576.0;
            ObjectNode e = exportNode.putObject(entry.getKey());
            e.put("bytes", export.bytes);
            e.put("api_ms", Stats.round(export.millis));
            e.put("rows_per_second", Math.round(total / (export.millis / 1000)));
            e.put("mb_per_second", Stats.round(export.bytes / 1e6 / (export.millis / 1000)));
            e.put("engine_copy_ms", Stats.round(export.engineMillis));
            e.put("api_to_engine_ratio", Stats.round(export.millis / export.engineMillis));
            e.put("server_peak_heap_mib", Stats.round(peakMib));
            e.put("read_back_equal", true);
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.0f | %,d | %.0f | %.0f | %.2f | %s |%n",
                    entry.getKey(), export.bytes, export.millis, Math.round(total / (export.millis / 1000)),
                    export.bytes / 1e6 / (export.millis / 1000), export.engineMillis,
                    export.millis / export.engineMillis,
                    peakMib < 0 ? "no GC in the window" : String.format(Locale.ROOT, "%.0f", peakMib)));
        }
        md.append(String.format(Locale.ROOT, "%nServer peak heap used while paging: %.0f MiB (%d GCs in that "
                                             + "window).%n",
                recording.peakHeapBytes(pagesFrom, pagesTo) / 1048576.0, recording.gcCount(pagesFrom, pagesTo)));
        if (present) {
            md.append(String.format(Locale.ROOT, "Start to ready with the data present: %d ms.%n",
                    node.get("start_to_ready_present_ms").asLong()));
        }
        md.append(String.format(Locale.ROOT, "%nWhere the server's Java time goes while paging (flight recorder, "
                                             + "%d samples; DuckDB's own native work is not sampled): the API's "
                                             + "methods by share of samples with the method on the stack:%n%n",
                recording.cpuSamples(pagesFrom, pagesTo)));
        recording.hotMethods(pagesFrom, pagesTo, 10, "io.warehouseapi.").forEach((method, share) ->
                md.append(String.format(Locale.ROOT, "- %.0f%% `%s`%n", share * 100, method)));
        md.append("\nand the methods the samples were in (self time):\n\n");
        recording.selfMethods(pagesFrom, pagesTo, 10).forEach((method, share) ->
                md.append(String.format(Locale.ROOT, "- %.0f%% `%s`%n", share * 100, method)));
        if (throughput != null) {
            node.set("throughput", throughput);
            md.append(String.format(Locale.ROOT, "%n## Throughput%n%nPages of 100 rows per second, each connection "
                                                 + "a closed loop of `fetch_results` at random offsets of its own "
                                                 + "result, %s each: results of `%s`, each page of which every "
                                                 + "connection has read once before the timed loop, so that they "
                                                 + "are served from the page cache as far as they fit in it; and "
                                                 + "results of `%s`, read straight away, whose pages mostly come "
                                                 + "from the store (a page of it is about 80 KB, two WebSocket "
                                                 + "frames), also with several requests in flight on one "
                                                 + "connection.%n%n| view | rows | connections | pages/s "
                                                 + "| p50 / p99 / max (ms) | from the page cache |%n| --- | --- | "
                                                 + "--- | --- | --- | --- |%n", throughputTime, SMALL_VIEW, VIEW));
            throughput.fields().forEachRemaining(view -> view.getValue().fields().forEachRemaining(e -> md
                    .append("| `").append(view.getKey()).append("` | ")
                    .append(String.format(Locale.ROOT, "%,d", e.getValue().get("rows_per_result").asLong()))
                    .append(" | ").append(e.getKey()).append(" | ")
                    .append(e.getValue().get("pages_per_second").asText()).append(" | ")
                    .append(LoadTestCommand.triple(e.getValue().get("latency"))).append(" | ")
                    .append(Math.round(100 * e.getValue().get("page_cache_hit_ratio").asDouble())).append("% |\n")));
        }
        if (concurrencyHundred != null) {
            node.set("concurrency_100", concurrencyHundred);
            md.append(String.format(Locale.ROOT, "%n## 100 identical fresh `run_view`s of `%s` at once%n%nEvery "
                                                 + "first page within 1.5 × one alone: **%s**.%n%n| measure | value |%n"
                                                 + "| --- | --- |%n", VIEW,
                    concurrencyHundred.path("target_1_5_met").asBoolean() ? "met" : "missed"));
            concurrencyHundred.fields().forEachRemaining(e -> md.append("| ").append(e.getKey().replace('_', ' '))
                    .append(" | ").append(e.getValue().asText()).append(" |\n"));
        }
        if (concurrency != null) {
            concurrency.put("server_peak_threads", recording.peakThreads());
            concurrency.put("server_max_live_threads_sampled",
                    recording.maxActiveThreads(concurrencyFrom, concurrencyTo));
            concurrency.put("server_peak_heap_mib",
                    Stats.round(recording.peakHeapBytes(concurrencyFrom, concurrencyTo) / 1048576.0));
            node.set("concurrency", concurrency);
            md.append(String.format(Locale.ROOT, "%n## %d connections running `%s` at once%n%n| measure | value |%n"
                                                 + "| --- | --- |%n", concurrent, VIEW));
            concurrency.fields().forEachRemaining(e -> md.append("| ").append(e.getKey().replace('_', ' '))
                    .append(" | ").append(e.getValue().asText()).append(" |\n"));
        }
        return node;
    }

    private static final List<String> EXPORT_FORMATS = List.of("csv", "parquet");

    private static final Path CURL = Path.of("/usr/bin/curl");

    /** The client that downloads exports: curl, as users would, or the JDK's HttpClient where curl is missing. */
    private static String downloader() {
        return Files.isExecutable(CURL) ? "curl" : "the JDK's HttpClient";
    }

    /**
     * Asks for an export link of a result and downloads it to a file, timed (with {@code gzip}: asking for it, the
     * file holding the unzipped bytes); the server's heap is read later.
     */
    private ExportRun exportOnce(ServerProcess server, Peer peer, String queryId, String format, boolean gzip,
                                 long trips) throws Exception {
        Peer.Reply link = peer.request(Peer.export(queryId, format)).get(1, TimeUnit.MINUTES);
        require(link, "export");
        String url = "http://127.0.0.1:" + server.port() + link.json().path("url").asText();
        Path file = dir.resolve("api-export-" + trips + (gzip ? "-gzip" : "") + "." + format);
        Files.deleteIfExists(file);
        Instant from = Instant.now();
        long started = System.nanoTime();
        int status;
        long sent;
        if (Files.isExecutable(CURL)) {
            List<String> command = new ArrayList<>(List.of(CURL.toString(), "-s", "-o", file.toString(), "-w",
                    "%{http_code} %{size_download}"));
            if (gzip) {
                command.add("--compressed");
            }
            command.add(url);
            Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            String[] out = new String(curl.getInputStream().readAllBytes()).trim().split(" ");
            curl.waitFor();
            status = Integer.parseInt(out[0]);
            sent = Long.parseLong(out[1]);
        } else {
            status = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofFile(file)).statusCode();
            sent = Files.size(file);
        }
        double millis = (System.nanoTime() - started) / 1e6;
        if (status != 200) {
            throw new IllegalStateException("The " + format + " export answered " + status);
        }
        System.out.printf(Locale.ROOT, "  %s%s export: %,d bytes sent in %.0f ms%n", format, gzip ? " (gzip)" : "",
                sent, millis);
        return new ExportRun(format, file, millis, sent, from, Instant.now());
    }

    /** One export download: its file, how long it took, and the engine's own COPY of the same result. */
    private static final class ExportRun {
        final String format;
        final Path file;
        final double millis;
        final long bytes;
        final Instant from;
        final Instant to;
        double engineMillis;

        ExportRun(String format, Path file, double millis, long bytes, Instant from, Instant to) {
            this.format = format;
            this.file = file;
            this.millis = millis;
            this.bytes = bytes;
            this.from = from;
            this.to = to;
        }

        /** Reads the download back with DuckDB, fails unless it equals the result, and times the engine's COPY. */
        void checkAndCompare(EngineFloor floor, Path engineFile) throws Exception {
            String relation = format.equals("csv")
                    ? "read_csv('" + file + "', header = true, all_varchar = true)" : "read_parquet('" + file + "')";
            String exported = floor.checksum(relation, false);
            String stored = floor.resultChecksum(format.equals("csv"));
            if (!exported.equals(stored)) {
                throw new IllegalStateException("The " + format + " export read back differs from the result: "
                                                + exported + " against " + stored);
            }
            engineMillis = floor.copyTo(format, engineFile);
            Files.deleteIfExists(engineFile);
            Files.deleteIfExists(file);
        }
    }

    /**
     * Warms a freshly started server up (its JIT compiler competes with the engine for the cores at first) with
     * {@code run_view}s and pages of {@code weather_vw}, so that the measured queries and pages of the large view
     * are neither paid for by compilation nor already in the page cache. Start-up is measured on its own.
     */
    private static void warmUp(Peer peer) throws Exception {
        Peer.Reply results = null;
        for (int i = 0; i < WARM_UP_QUERIES; i++) {
            results = peer.request(Peer.runView(SMALL_VIEW)).get(5, TimeUnit.MINUTES);
            require(results, "results");
        }
        String queryId = results.json().path("query_id").asText();
        long pagesInResult = Math.max(1, results.json().path("total_rows").asLong() / 100);
        for (int i = 0; i < WARM_UP_REQUESTS; i++) {
            long offset = ThreadLocalRandom.current().nextLong(pagesInResult) * 100;
            require(peer.request(Peer.fetch(queryId, offset)).get(1, TimeUnit.MINUTES), "results");
        }
    }

    /** The start, the middle and the last full page of a result. */
    private static Map<String, Long> offsets(long total) {
        Map<String, Long> offsets = new java.util.LinkedHashMap<>();
        offsets.put("0", 0L);
        offsets.put("middle (" + (total / 2 / 100 * 100) + ")", total / 2 / 100 * 100);
        offsets.put("end (" + Math.max(0, total - 100) + ")", Math.max(0, total - 100));
        return offsets;
    }

    /**
     * {@code count} distinct page offsets at random (seeded) through a result, none of them a page {@link #offsets}
     * reads, so that each is read from the store and not the page cache.
     */
    private static List<Long> distinctOffsets(long total, int count) {
        long pagesInResult = total / 100;
        java.util.Set<Long> excluded = new java.util.HashSet<>(offsets(total).values());
        java.util.LinkedHashSet<Long> chosen = new java.util.LinkedHashSet<>();
        java.util.Random random = new java.util.Random(7);
        while (chosen.size() < Math.min(count, pagesInResult - excluded.size())) {
            long offset = (long) (random.nextDouble() * pagesInResult) * 100;
            if (!excluded.contains(offset)) {
                chosen.add(offset);
            }
        }
        return List.copyOf(chosen);
    }

    /**
     * Pages per second with each number of connections, each connection a closed loop of {@code fetch_results} at
     * random offsets of its own result of {@code view}, and the page cache's hits and misses meanwhile. With
     * {@code cached}, every connection first reads each page of its result once, untimed, so that the timed loops
     * measure pages served from the page cache (as far as they fit in it). Each connection runs {@code inFlight}
     * such loops at once, so that as many requests are in flight on it.
     */
    private ObjectNode throughput(ServerProcess server, String view, List<Integer> connectionCounts, boolean cached,
                                  int inFlight) throws Exception {
        ObjectNode node = Peer.JSON.createObjectNode();
        for (int connections : connectionCounts) {
            List<Peer> peers = new ArrayList<>();
            List<String> queryIds = new ArrayList<>();
            List<Long> totals = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                Peer peer = connect(server);
                Peer.Reply results = peer.request(Peer.runView(view)).get(5, TimeUnit.MINUTES);
                require(results, "results");
                peers.add(peer);
                queryIds.add(results.json().path("query_id").asText());
                totals.add(results.json().path("total_rows").asLong());
            }
            if (cached) {
                List<CompletableFuture<Void>> reads = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    reads.add(readAll(peers.get(i), queryIds.get(i), totals.get(i), 0));
                }
                CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            }
            Stats latency = new Stats();
            AtomicLong done = new AtomicLong();
            long deadline = System.nanoTime() + throughputTime.toNanos();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            CacheGets before = CacheGets.of(server);
            long started = System.nanoTime();
            for (int i = 0; i < connections * inFlight; i++) {
                int c = i % connections;
                loops.add(loop(peers.get(c), queryIds.get(c), totals.get(c), deadline, latency, done));
            }
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - started) / 1e9;
            CacheGets during = CacheGets.of(server).since(before);
            double hits = during.hits();
            double misses = during.misses();
            peers.forEach(Peer::close);
            String label = inFlight == 1 ? Integer.toString(connections)
                    : connections + " (" + inFlight + " requests in flight on each)";
            ObjectNode entry = node.putObject(label);
            entry.put("rows_per_result", totals.get(0));
            entry.put("pages_per_second", Math.round(done.get() / seconds));
            entry.set("latency", latency.toJson());
            entry.put("page_cache_hit_ratio", Stats.round(hits / Math.max(1, hits + misses)));
            System.out.printf(Locale.ROOT, "  %s, %s connections: %d pages/s, %.0f%% from the page cache%n", view,
                    label, Math.round(done.get() / seconds), 100 * hits / Math.max(1, hits + misses));
        }
        return node;
    }

    /** Reads every page of a result once, in order, from {@code offset} on. */
    private static CompletableFuture<Void> readAll(Peer peer, String queryId, long total, long offset) {
        if (offset >= total) {
            return CompletableFuture.completedFuture(null);
        }
        return peer.request(Peer.fetch(queryId, offset)).thenCompose(reply -> {
            require(reply, "results");
            return readAll(peer, queryId, total, offset + 100);
        });
    }

    private CompletableFuture<Void> loop(Peer peer, String queryId, long total, long deadline, Stats latency,
                                         AtomicLong done) {
        if (System.nanoTime() >= deadline) {
            return CompletableFuture.completedFuture(null);
        }
        long offset = ThreadLocalRandom.current().nextLong(Math.max(1, total / 100)) * 100;
        return peer.request(Peer.fetch(queryId, offset)).thenCompose(reply -> {
            require(reply, "results");
            latency.add(reply.micros());
            done.incrementAndGet();
            return loop(peer, queryId, total, deadline, latency, done);
        });
    }

    /**
     * {@code bench.concurrent} connections sending the same fresh {@code run_view} of the large view at once: they
     * share one warehouse query, so the last first page should come within 1.5 × one query alone.
     */
    /**
     * {@code count} connections, each sending the same fresh {@code run_view} at once: the time until the last first
     * page, against one alone (the median of the timed runs, and one run again just before).
     */
    private ObjectNode concurrency(ServerProcess server, int count, double aloneMs) throws Exception {
        List<CompletableFuture<Peer>> connecting = new ArrayList<>();
        AtomicLong unexpected = new AtomicLong();
        for (int i = 0; i < count; i++) {
            connecting.add(Peer.connect(client, server.webSocket(), "k" + i, unexpected));
        }
        List<Peer> peers = new ArrayList<>();
        for (CompletableFuture<Peer> connection : connecting) {
            peers.add(connection.get(1, TimeUnit.MINUTES));
        }
        // one alone again, on the server as the earlier sections left it, on a connection of its own that is closed
        // after its first page (so that its result is dropped before the others start)
        Peer alone = connect(server);
        Peer.Reply aloneNow = alone.request(Peer.runViewFresh(VIEW)).get(30, TimeUnit.MINUTES);
        require(aloneNow, "results");
        alone.close();
        double aloneNowMs = aloneNow.micros() / 1000.0;
        long started = System.nanoTime();
        List<CompletableFuture<Peer.Reply>> replies = peers.stream()
                .map(peer -> peer.request(Peer.runViewFresh(VIEW))).toList();
        long answered = 0;
        long failed = 0;
        long last = started;
        for (CompletableFuture<Peer.Reply> reply : replies) {
            try {
                Peer.Reply r = reply.get(10, TimeUnit.MINUTES);
                if ("results".equals(r.type()) && r.submitted() && r.running()) {
                    answered++;
                } else {
                    failed++;
                }
                last = Math.max(last, r.receivedNanos());
            } catch (Exception e) {
                failed++;
            }
        }
        peers.forEach(Peer::close);
        ObjectNode node = Peer.JSON.createObjectNode();
        node.put("connections", count);
        node.put("results_received", answered);
        node.put("failed_or_lost", failed + unexpected.get());
        node.put("time_to_last_results_s", Stats.round((last - started) / 1e9));
        node.put("one_alone_s", Stats.round(aloneMs / 1000));
        node.put("ratio_to_one_alone", Stats.round((last - started) / 1e6 / aloneMs));
        node.put("target_1_5_met", (last - started) / 1e6 <= 1.5 * aloneMs);
        node.put("one_alone_just_before_s", Stats.round(aloneNowMs / 1000));
        node.put("ratio_to_one_alone_just_before", Stats.round((last - started) / 1e6 / aloneNowMs));
        System.out.printf(Locale.ROOT, "  %d concurrent run_views: %d answered in %.1f s%n", count, answered,
                (last - started) / 1e9);
        return node;
    }

    private void jsonShaping() throws Exception {
        System.out.println("JMH: RepliesBenchmark");
        var options = new OptionsBuilder()
                .include(RepliesBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                .build();
        ObjectNode node = report.putObject("json_shaping");
        md.append(String.format(Locale.ROOT, "%n## JSON shaping (JMH)%n%nA page of 100 rows × 35 columns, 1 fork, 5 × "
                                             + "1 s after 3 × 1 s warm-up: `RowsJson.render` shapes the rows of a "
                                             + "page read from the store; `Replies.results` puts a reply together "
                                             + "around rows already shaped, as every page sent does.%n%n"));
        for (RunResult result : new Runner(options).run()) {
            String name = result.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            double micros = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            node.putObject(name).put("us_per_page", Stats.round(micros)).put("error_us", Stats.round(error));
            md.append(String.format(Locale.ROOT, "- `%s`: **%.1f ± %.1f µs** per page%n",
                    "rows".equals(name) ? "RowsJson.render" : "Replies.results", micros, error));
        }
    }

    private Peer connect(ServerProcess server) throws Exception {
        return Peer.connect(client, server.webSocket(), "b" + System.nanoTime(), new AtomicLong())
                .get(1, TimeUnit.MINUTES);
    }

    private static void require(Peer.Reply reply, String type) {
        if (!type.equals(reply.type())) {
            throw new IllegalStateException("Expected " + type + ", got " + reply.json());
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static ArrayNode doubles(List<Double> values) {
        ArrayNode array = Peer.JSON.createArrayNode();
        values.forEach(v -> array.add(Stats.round(v)));
        return array;
    }

    private static void deleteTree(Path path) throws Exception {
        if (Files.exists(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
