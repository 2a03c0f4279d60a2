package io.warehouseapi.bench;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The bounded load test: the packaged API on 127.0.0.1 with the embedded sample warehouse, and many connections each
 * running views one after another and paging through every result. Reports replies lost (a request whose final
 * reply, or whose {@code submitted} or {@code running} before it, never came), errors by code, wrong pages, time to
 * first page, page latency, and the server's peak threads and heap (from its flight recording), into
 * {@code target/load-test/report.md} and {@code report.json}. Exits non-zero unless every query and page was
 * answered right.
 *
 * <p>Run it as the README says: {@code mvn -Pload-test package}. Its settings ({@code load.connections},
 * {@code load.queries}, {@code load.pages}, {@code load.trips}, {@code load.views}, {@code load.deadline},
 * {@code load.heap}) and their defaults are in that Maven profile.
 */
public final class LoadTestCommand {

    private static final int PAGE = 100;

    private final int connections = Integer.parseInt(setting("load.connections"));
    private final int queries = Integer.parseInt(setting("load.queries"));
    private final int pagesPerQuery = Integer.parseInt(setting("load.pages"));
    private final int trips = Integer.parseInt(setting("load.trips"));
    private final List<String> views = List.of(setting("load.views").split(","));
    private final Duration deadline = Duration.parse(setting("load.deadline"));
    private final String heap = setting("load.heap");
    /** With a duration, a soak: every connection runs queries until it has passed, and the server is sampled. */
    private final Duration soak = Duration.parse(setting("load.soak"));
    /** Every so many run_views of a connection, one asks for a fresh run; the others may share or reuse. */
    private final int freshEvery = Integer.parseInt(setting("load.fresh-every"));
    private final AtomicLong queriesSent = new AtomicLong();
    private final List<ObjectNode> samples = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Stats firstPage = new Stats();
    private final Stats pageLatency = new Stats();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong wrongPages = new AtomicLong();
    private final AtomicLong unexpected = new AtomicLong();
    private final AtomicLong queriesAnswered = new AtomicLong();
    /** When each query was answered (System.nanoTime), for the rate once the server has warmed up. */
    private final java.util.Queue<Long> answeredAt = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicLong sampleErrorLogged = new AtomicLong();

    private LoadTestCommand() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(new LoadTestCommand().run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Path dir = Path.of("target", "load-test").toAbsolutePath();
        Path data = dir.resolve("data-" + trips);
        Map<String, String> settings = Map.of(
                "WAREHOUSE_EMBEDDED_SAMPLE_PATH", data.resolve("warehouse.duckdb").toString(),
                "RESULTS_SPILL_DIRECTORY", data.resolve("results.spill").toString(),
                "WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", Integer.toString(trips),
                // results are paged at once and then left: keep the store's disk bounded over thousands of them
                "RESULTS_RETENTION", "PT2M",
                "RESULTS_EVICTION_INTERVAL", "10000");
        System.out.printf(Locale.ROOT, "Load test: %d connections, %d queries (%s), %d more pages each, %d trips%n",
                connections, queries, String.join(", ", views), pagesPerQuery, trips);
        ServerProcess server = ServerProcess.start(dir, "server", settings, heap, Duration.ofMinutes(5));
        java.util.concurrent.ExecutorService clientThreads = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
        List<Peer> peers = new ArrayList<>();
        Instant from = Instant.now();
        long started = System.nanoTime();
        boolean serverAlive;
        try {
            List<CompletableFuture<Peer>> connecting = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                connecting.add(Peer.connect(client, server.webSocket(), "c" + i, unexpected));
            }
            for (CompletableFuture<Peer> connection : connecting) {
                try {
                    peers.add(connection.get(60, TimeUnit.SECONDS));
                } catch (Exception e) {
                    error("CONNECT", e);
                }
            }
            List<CompletableFuture<Void>> work = new ArrayList<>();
            long soakEnd = System.nanoTime() + soak.toNanos();
            java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            if (!soak.isZero()) {
                sampler.scheduleAtFixedRate(() -> sample(server), 0, 10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < peers.size(); i++) {
                work.add(soak.isZero() ? runQueries(peers.get(i), i, queriesFor(i))
                        : soakQueries(peers.get(i), i, 0, soakEnd));
            }
            try {
                CompletableFuture.allOf(work.toArray(CompletableFuture[]::new))
                        .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                System.out.println("The deadline of " + deadline + " passed; counting what is outstanding as lost.");
                lost.addAndGet(peers.stream().mapToLong(Peer::outstanding).sum());
            }
            serverAlive = server.isReady();
            sampler.shutdownNow();
        } finally {
            peers.forEach(Peer::close);
        }
        long ended = System.nanoTime();
        double seconds = (ended - started) / 1e9;
        // the second half of the run: the server's JIT has compiled what the load uses
        long half = started + (ended - started) / 2;
        long answeredInSecondHalf = answeredAt.stream().filter(at -> at - half >= 0).count();
        Instant to = Instant.now();
        JfrSummary recording = server.stop();
        clientThreads.shutdownNow();

        long unanswered = queriesSent.get() - queriesAnswered.get();
        long errorCount = errors.values().stream().mapToLong(AtomicLong::get).sum();
        ObjectNode report = Peer.JSON.createObjectNode();
        report.set("machine", Machine.describe());
        ObjectNode setup = report.putObject("setup");
        setup.put("connections", connections).put("queries", soak.isZero() ? queries : queriesSent.get())
                .put("soak", soak.toString()).put("fresh_every", freshEvery).put("pages_per_query", pagesPerQuery)
                .put("trips", trips).put("views", String.join(",", views)).put("server_heap_max", heap);
        ObjectNode result = report.putObject("result");
        result.put("seconds", Stats.round(seconds));
        result.put("connections_open", peers.size());
        result.put("queries_answered", queriesAnswered.get());
        result.put("queries_per_second", Stats.round(queriesAnswered.get() / seconds));
        result.put("queries_per_second_second_half", Stats.round(answeredInSecondHalf / (seconds / 2)));
        result.put("pages_fetched", pageLatency.count());
        result.put("replies_lost", lost.get());
        result.put("errors", errorCount);
        ObjectNode byCode = result.putObject("errors_by_code");
        new TreeMap<>(errors).forEach((code, count) -> byCode.put(code, count.get()));
        result.put("wrong_pages", wrongPages.get());
        result.put("unexpected_frames", unexpected.get());
        result.set("time_to_first_page", firstPage.toJson());
        result.set("page_latency", pageLatency.toJson());
        result.put("server_alive", serverAlive);
        result.put("server_start_to_ready_ms", server.startToReady().toMillis());
        result.put("server_peak_threads", recording.peakThreads());
        result.put("server_peak_heap_mib", Stats.round(recording.peakHeapBytes() / 1048576.0));
        result.put("server_gc_count", recording.gcCount(from, to));
        result.put("server_gc_pause_ms", Stats.round(recording.gcPauseMillis(from, to)));
        result.put("server_mean_cpu", Stats.round(recording.meanCpu(from, to)));
        if (!soak.isZero()) {
            result.set("soak", soakReport(recording, from, to));
        }
        boolean passed = lost.get() == 0 && errorCount == 0 && wrongPages.get() == 0 && unanswered == 0
                         && unexpected.get() == 0 && serverAlive && peers.size() == connections;
        result.put("passed", passed);

        Files.writeString(dir.resolve("report.json"),
                Peer.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        String markdown = markdown(report);
        Files.writeString(dir.resolve("report.md"), markdown);
        System.out.println(markdown);
        System.out.println("Report: " + dir.resolve("report.md") + " and report.json; server log: " + server.log());
        return passed;
    }

    private int queriesFor(int peer) {
        return queries / connections + (peer < queries % connections ? 1 : 0);
    }

    /** A soak's share of one connection: queries one after another until the soak has lasted its time. */
    private CompletableFuture<Void> soakQueries(Peer peer, int index, int q, long until) {
        if (System.nanoTime() - until >= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return runQuery(peer, views.get((index + q) % views.size()), q % freshEvery == freshEvery - 1)
                .thenCompose(ignored -> soakQueries(peer, index, q + 1, until));
    }

    /** The server as the operating system and its metrics see it: resident memory, open files, stored results. */
    private void sample(ServerProcess server) {
        try {
            ObjectNode sample = Peer.JSON.createObjectNode();
            sample.put("at", Instant.now().toString());
            long pid = server.pid();
            long rssKib = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).mapToLong(line -> Long.parseLong(
                            line.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
            long fds;
            try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                fds = files.count();
            }
            sample.put("rss_mib", Stats.round(rssKib / 1024.0));
            sample.put("open_fds", fds);
            sample.put("store_mib", Stats.round((server.metric("warehouse_api_store_memory_bytes", "")
                                                 + server.metric("warehouse_api_store_spilled_bytes", "")) / 1048576.0));
            sample.put("results_held", server.metric("warehouse_api_store_results", ""));
            samples.add(sample);
        } catch (Exception e) {
            note(e);
        }
    }

    /**
     * A soak's figures in its first and its last five minutes (or fifths, if it is shorter than 25 minutes): heap
     * after GC (the flight recorder's), resident memory, open files and stored bytes, each the mean of its samples.
     */
    private ObjectNode soakReport(JfrSummary recording, Instant from, Instant to) {
        Duration window = Duration.ofMinutes(5);
        if (Duration.between(from, to).compareTo(window.multipliedBy(5)) < 0) {
            window = Duration.between(from, to).dividedBy(5);
        }
        ObjectNode node = Peer.JSON.createObjectNode();
        node.put("window", window.toString());
        Instant firstEnd = from.plus(window);
        Instant lastStart = to.minus(window);
        ObjectNode first = node.putObject("first");
        ObjectNode last = node.putObject("last");
        first.put("heap_after_gc_mib", Stats.round(recording.meanHeapAfterGcBytes(from, firstEnd) / 1048576.0));
        last.put("heap_after_gc_mib", Stats.round(recording.meanHeapAfterGcBytes(lastStart, to) / 1048576.0));
        for (String field : List.of("rss_mib", "open_fds", "store_mib", "results_held")) {
            first.put(field, Stats.round(mean(field, from, firstEnd)));
            last.put(field, Stats.round(mean(field, lastStart, to)));
        }
        node.put("samples", samples.size());
        node.set("series", Peer.JSON.valueToTree(samples));
        return node;
    }

    private double mean(String field, Instant from, Instant to) {
        return samples.stream().filter(s -> {
            Instant at = Instant.parse(s.get("at").asText());
            return !at.isBefore(from) && !at.isAfter(to);
        }).mapToDouble(s -> s.get(field).asDouble()).average().orElse(-1);
    }

    /** One connection's share: its queries one after another, each followed by its pages one after another. */
    private CompletableFuture<Void> runQueries(Peer peer, int index, int count) {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int q = 0; q < count; q++) {
            String view = views.get((index + q) % views.size());
            boolean fresh = q % freshEvery == freshEvery - 1;
            chain = chain.thenCompose(ignored -> runQuery(peer, view, fresh));
        }
        return chain;
    }

    private CompletableFuture<Void> runQuery(Peer peer, String view, boolean fresh) {
        queriesSent.incrementAndGet();
        return peer.request(fresh ? Peer.runViewFresh(view) : Peer.runView(view)).handle((reply, failure) -> {
            if (failure != null) {
                lost.incrementAndGet();
                note(failure);
                return CompletableFuture.<Void>completedFuture(null);
            }
            queriesAnswered.incrementAndGet();
            answeredAt.add(System.nanoTime());
            if (!reply.submitted() || !reply.running()) {
                lost.incrementAndGet();
            }
            if (!"results".equals(reply.type())) {
                error(reply.json().path("code").asText(reply.type()), null);
                return CompletableFuture.<Void>completedFuture(null);
            }
            firstPage.add(reply.micros());
            long total = reply.json().path("total_rows").asLong();
            check(reply, 0, total);
            CompletableFuture<Void> pages = CompletableFuture.completedFuture(null);
            String queryId = reply.json().path("query_id").asText();
            for (int p = 1; p <= pagesPerQuery; p++) {
                long offset = (long) p * PAGE;
                pages = pages.thenCompose(ignored -> fetch(peer, queryId, offset, total));
            }
            return pages;
        }).thenCompose(next -> next);
    }

    private CompletableFuture<Void> fetch(Peer peer, String queryId, long offset, long total) {
        return peer.request(Peer.fetch(queryId, offset)).handle((reply, failure) -> {
            if (failure != null) {
                lost.incrementAndGet();
                note(failure);
            } else if (!"results".equals(reply.type())) {
                error(reply.json().path("code").asText(reply.type()), null);
            } else {
                pageLatency.add(reply.micros());
                check(reply, offset, total);
            }
            return null;
        });
    }

    /** A page must be where it was asked for and as long as the result allows. */
    private void check(Peer.Reply reply, long offset, long total) {
        long expected = Math.max(0, Math.min(PAGE, total - offset));
        if (reply.json().path("offset").asLong(-1) != offset
            || reply.json().path("row_count").asLong(-1) != expected
            || reply.rows() != expected) {
            wrongPages.incrementAndGet();
        }
    }

    private void error(String code, Throwable cause) {
        errors.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
        note(cause);
    }

    private void note(Throwable cause) {
        if (cause != null && sampleErrorLogged.incrementAndGet() <= 5) {
            System.out.println("  failure: " + cause);
        }
    }

    /** A setting the Maven profile passes; it holds the defaults. */
    static String setting(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set: run through the Maven profile, which sets it");
        }
        return value;
    }

    private static String markdown(ObjectNode report) {
        ObjectNode setup = (ObjectNode) report.get("setup");
        ObjectNode r = (ObjectNode) report.get("result");
        StringBuilder md = new StringBuilder("# Load test\n\n");
        md.append("Machine: ").append(Machine.line((ObjectNode) report.get("machine"))).append("\n\n");
        md.append(String.format(Locale.ROOT, "%d connections on 127.0.0.1, %d queries over %s, each followed by %d "
                                             + "more pages of 100 rows; embedded sample with %d trips; server heap "
                                             + "at most %s.%n%n",
                setup.get("connections").asInt(), setup.get("queries").asInt(), setup.get("views").asText(),
                setup.get("pages_per_query").asInt(), setup.get("trips").asInt(),
                setup.get("server_heap_max").asText()));
        md.append("| measure | value |\n| --- | --- |\n");
        row(md, "passed", r.get("passed").asText());
        row(md, "replies lost", r.get("replies_lost").asText());
        row(md, "errors", r.get("errors").asText() + " " + r.get("errors_by_code"));
        row(md, "wrong pages", r.get("wrong_pages").asText());
        row(md, "frames answering no request", r.get("unexpected_frames").asText());
        row(md, "connections open", r.get("connections_open").asText());
        row(md, "queries answered", r.get("queries_answered").asText());
        row(md, "pages fetched after the first", r.get("pages_fetched").asText());
        row(md, "wall time (s)", r.get("seconds").asText());
        row(md, "queries per second, whole run / its second half", r.get("queries_per_second").asText() + " / "
                                                                     + r.get("queries_per_second_second_half").asText());
        row(md, "time to first page p50 / p99 / max (ms)", triple(r.get("time_to_first_page")));
        row(md, "page latency p50 / p99 / max (ms)", triple(r.get("page_latency")));
        row(md, "server peak live threads", r.get("server_peak_threads").asText());
        row(md, "server peak heap used (MiB)", r.get("server_peak_heap_mib").asText());
        row(md, "server GCs / total pause (ms)", r.get("server_gc_count").asText() + " / "
                                                  + r.get("server_gc_pause_ms").asText());
        row(md, "server mean CPU (share of the machine)", r.get("server_mean_cpu").asText());
        row(md, "server start to ready (ms)", r.get("server_start_to_ready_ms").asText());
        row(md, "server up and ready at the end", r.get("server_alive").asText());
        if (r.has("soak")) {
            ObjectNode soak = (ObjectNode) r.get("soak");
            md.append(String.format(Locale.ROOT, "%nSoak of %s (every %d-th run_view of a connection fresh, the others "
                                                 + "shared or reused), sampled every 10 s: means in the first and "
                                                 + "the last %s.%n%n| measure | first | last |%n| --- | --- | --- |%n",
                    setup.get("soak").asText(), setup.get("fresh_every").asInt(), soak.get("window").asText()));
            for (String field : List.of("heap_after_gc_mib", "rss_mib", "open_fds", "store_mib", "results_held")) {
                md.append("| ").append(field.replace('_', ' ')).append(" | ")
                        .append(soak.get("first").get(field).asText()).append(" | ")
                        .append(soak.get("last").get(field).asText()).append(" |\n");
            }
        }
        return md.toString();
    }

    static String triple(com.fasterxml.jackson.databind.JsonNode stats) {
        return stats.get("p50_ms").asText() + " / " + stats.get("p99_ms").asText() + " / "
               + stats.get("max_ms").asText();
    }

    static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }
}
