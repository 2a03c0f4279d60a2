package io.warehouseapi.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import io.warehouseapi.embedded.SampleDataset;
import io.warehouseapi.query.SignedIds;
import io.warehouseapi.snowflake.FakeSnowflake;
import io.warehouseapi.snowflake.TestKeys;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The scale test ({@code mvn -Pscale-test package}): three replicas of the packaged jar behind HAProxy
 * ({@code deploy/haproxy/haproxy.cfg}, Debian's haproxy) on 127.0.0.1, with token authentication and shared signing
 * keys, clients speaking {@code wss://} to HAProxy, which ends TLS with a throwaway certificate. Once against the
 * embedded warehouse with a shared results directory, once against a fake Snowflake endpoint all three share:
 * <ol>
 *   <li>a client pages a whole result through HAProxy on one connection, 16 requests in flight at once, with pages
 *   of up to 1,000 rows: every reply comes whole and the rows equal a single-replica run;</li>
 *   <li>a client pages a result through HAProxy; the replica serving it is killed (SIGKILL); the client reconnects
 *   and reads the rest by the same id: the rows must equal, in order, a single-replica run of the same question;</li>
 *   <li>an id read on another replica by another principal, tampered with, expired, or signed with a retired key is
 *   {@code QUERY_NOT_FOUND}; signed with the previous, still listed key it is served; an export link works on another
 *   replica;</li>
 *   <li>a query running when its replica is killed: on Snowflake finished and read from another replica; on the
 *   embedded warehouse {@code QUERY_FAILED} telling the client to run it again, promptly;</li>
 *   <li>a rolling restart (SIGTERM, one replica at a time) while many clients page continuously: every request
 *   answered, every page right;</li>
 *   <li>pages a second through HAProxy with 3, 2 and 1 replicas (an indication only, on the machine it runs on).</li>
 * </ol>
 * Report in {@code target/scale-test/report.md}; the command fails if any check does.
 */
public final class ScaleTestCommand {

    private static final String VIEW = "trip_weather_vw";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long each replica is paged directly before throughput is measured through HAProxy. */
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    /** How many requests the pipelined scenario keeps in flight on its one connection. */
    private static final int PIPELINE_DEPTH = 16;

    private final int trips = Integer.getInteger("scale.trips", 20_000);
    private final int clients = Integer.getInteger("scale.clients", 50);
    private final int pageSize = Integer.getInteger("scale.page-size", 100);
    /** How long each client of the rolling restart waits between pages: paging as a person or a dashboard does. */
    private final Duration thinkTime = Duration.parse(System.getProperty("scale.think-time", "PT0.25S"));
    private final Duration throughputTime = Duration.parse(System.getProperty("scale.throughput-time", "PT5S"));
    private final int throughputClients = Integer.getInteger("scale.throughput-clients", 16);
    private final String heap = System.getProperty("scale.heap", "384m");
    private final Path dir = Path.of("target", "scale-test").toAbsolutePath();
    private final List<String> failures = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();
    private final String newKey = key();
    private final String oldKey = key();
    private final String retiredKey = key();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private HttpClient http;
    private Path certificate;

    public static void main(String[] args) throws Exception {
        // however this command ends, nothing it started runs on
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroyForcibly)));
        ScaleTestCommand command = new ScaleTestCommand();
        boolean passed = command.run();
        System.exit(passed ? 0 : 1);
    }

    private boolean run() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/haproxy"))) {
            throw new IllegalStateException("The scale test needs Debian's haproxy: apt-get install haproxy");
        }
        clean(dir);
        Files.createDirectories(dir);
        certificate = throwawayCertificate();
        http = HttpClient.newBuilder().sslContext(trusting(certificate)).connectTimeout(Duration.ofSeconds(5))
                .build();
        for (String principal : principals()) {
            tokens.put(principal, key().replace('+', 'x').replace('/', 'y').replace("=", ""));
        }
        report.append("# Scale test\n\n")
                .append("Three replicas of the packaged jar behind HAProxy (").append(haproxyVersion())
                .append(") on 127.0.0.1, clients over wss:// with token authentication; ").append(trips)
                .append(" trips, pages of ").append(pageSize).append(" rows, ").append(clients)
                .append(" clients in the rolling restart, each paging every ").append(thinkTime.toMillis())
                .append(" ms. ").append(Machine.line(Machine.describe())).append("\n\n");
        for (String kind : List.of("embedded", "snowflake")) {
            report.append("## ").append(kind.equals("embedded")
                    ? "Embedded warehouse, shared results directory" : "Fake Snowflake endpoint shared by all three")
                    .append("\n\n");
            try (Cluster cluster = new Cluster(kind)) {
                cluster.start();
                List<String> reference = reference(cluster);
                flush();
                pipelined(cluster, reference);
                flush();
                failover(cluster, reference);
                flush();
                handles(cluster, reference);
                flush();
                runningWhenStopped(cluster, reference, true);
                flush();
                runningWhenStopped(cluster, reference, false);
                flush();
                rollingRestart(cluster, reference);
                flush();
                throughput(cluster);
                flush();
            } catch (RuntimeException e) {
                fail(kind + ": " + e);
                e.printStackTrace();
            }
        }
        report.append(failures.isEmpty() ? "\nAll checks passed.\n" : "\n**Failed:**\n\n- "
                                                                       + String.join("\n- ", failures) + "\n");
        Files.writeString(dir.resolve("report.md"), report);
        System.out.println(report);
        return failures.isEmpty();
    }

    private int flushed;

    /** Prints what the report gained since the last time, as the scenarios go. */
    private void flush() {
        System.out.print(report.substring(flushed));
        System.out.flush();
        flushed = report.length();
    }

    private List<String> principals() {
        List<String> names = new ArrayList<>(List.of("ana", "bob"));
        for (int i = 0; i < Math.max(clients, throughputClients); i++) {
            names.add("c" + i);
        }
        return names;
    }

    // ---- the scenarios ------------------------------------------------------------------------------------

    /** The question every scenario asks: the whole view in an order that every run gives alike. */
    private ObjectNode question() {
        ObjectNode run = ScaleClient.JSON.createObjectNode().put("action", "run_view").put("view_name", VIEW)
                .put("page_size", pageSize);
        ArrayNode order = run.putArray("order_by");
        order.addObject().put("column", "STARTTIME").put("direction", "asc");
        order.addObject().put("column", "BIKEID").put("direction", "asc");
        return run;
    }

    private static ObjectNode fetch(String queryId, long offset, int pageSize) {
        return ScaleClient.JSON.createObjectNode().put("action", "fetch_results").put("query_id", queryId)
                .put("offset", offset).put("page_size", pageSize);
    }

    /** Every row of the question, paged through one replica directly: what a single-replica deployment answers. */
    private List<String> reference(Cluster cluster) throws Exception {
        try (ScaleClient client = cluster.direct(2, "ana")) {
            JsonNode first = client.call(question(), Duration.ofSeconds(60));
            check(first != null && first.path("type").asText().equals("results"), "the reference run: " + first);
            List<String> rows = readAll(client, first);
            check(rows.size() == first.path("total_rows").asLong(), "the reference has every row");
            report.append("- Reference (replica 3 alone): ").append(rows.size()).append(" rows, checksum ")
                    .append(checksum(rows)).append("\n");
            return rows;
        }
    }

    /** The rows of a result from its first page on. */
    private List<String> readAll(ScaleClient client, JsonNode first) throws InterruptedException {
        return readUntil(client, first.path("query_id").asText(), new ArrayList<>(rows(first)),
                first.path("total_rows").asLong());
    }

    /**
     * Pages a result on from the rows already read, until {@code until} rows are there; a missing, failed or empty
     * page fails the check and ends the reading. Returns {@code rows}.
     */
    private List<String> readUntil(ScaleClient client, String id, List<String> rows, long until)
            throws InterruptedException {
        while (rows.size() < until) {
            JsonNode page = client.call(fetch(id, rows.size(), pageSize), Duration.ofSeconds(60));
            if (page == null || !page.path("type").asText().equals("results") || page.path("row_count").asInt() == 0) {
                fail("a page at " + rows.size() + ": " + page);
                break;
            }
            rows.addAll(rows(page));
        }
        return rows;
    }

    private static List<String> rows(JsonNode page) {
        List<String> rows = new ArrayList<>();
        for (JsonNode row : page.path("results")) {
            rows.add(row.toString());
        }
        return rows;
    }

    /**
     * The whole result paged through HAProxy on one connection with {@link #PIPELINE_DEPTH} requests in flight at
     * once, in pages of up to the maximum size (a reply of up to about 800 KB, a dozen WebSocket frames, through TLS):
     * every reply must come whole, and the rows equal the reference.
     */
    private void pipelined(Cluster cluster, List<String> reference) throws Exception {
        try (ScaleClient client = cluster.balanced("bob")) {
            JsonNode first = client.call(question(), Duration.ofSeconds(60));
            check(first != null && first.path("type").asText().equals("results"), "pipelined: first page " + first);
            String id = first.path("query_id").asText();
            long total = first.path("total_rows").asLong();
            List<String> rows = new ArrayList<>();
            int[] sizes = {1000, 100, 1000, 250, 999, 1};
            long offset = 0;
            int requests = 0;
            long started = System.nanoTime();
            while (offset < total) {
                List<ObjectNode> batch = new ArrayList<>();
                for (int i = 0; i < PIPELINE_DEPTH && offset < total; i++) {
                    int size = sizes[(requests + i) % sizes.length];
                    batch.add(fetch(id, offset, size));
                    offset += size;
                }
                requests += batch.size();
                List<JsonNode> replies = client.pipeline(batch, Duration.ofSeconds(60));
                for (int i = 0; i < replies.size(); i++) {
                    JsonNode page = replies.get(i);
                    long at = batch.get(i).path("offset").asLong();
                    if (page == null || !page.path("type").asText().equals("results")
                        || page.path("offset").asLong() != at) {
                        fail("pipelined: the page at " + at + ": " + page);
                        return;
                    }
                    rows.addAll(rows(page));
                }
            }
            boolean same = rows.equals(reference);
            check(same, "pipelined: the rows read with " + PIPELINE_DEPTH
                        + " pages in flight on one connection equal the reference");
            report.append("- Pipelined: ").append(requests).append(" fetch_results of up to 1,000 rows, ")
                    .append(PIPELINE_DEPTH).append(" in flight at once on one connection through HAProxy, in ")
                    .append(Duration.ofNanos(System.nanoTime() - started).toMillis()).append(" ms: ")
                    .append(rows.size()).append(" rows, checksum ").append(checksum(rows))
                    .append(same ? ", equal to the reference" : ", **not** equal to the reference").append("\n");
        }
    }

    private void failover(Cluster cluster, List<String> reference) throws Exception {
        try (ScaleClient client = cluster.balanced("ana")) {
            JsonNode first = client.call(question().put("fresh", true), Duration.ofSeconds(60));
            check(first != null && first.path("type").asText().equals("results"), "failover: first page " + first);
            String id = first.path("query_id").asText();
            long total = first.path("total_rows").asLong();
            List<String> rows = readUntil(client, id, new ArrayList<>(rows(first)), total / 2);
            int serving = cluster.serving();
            int before = rows.size();
            cluster.replica(serving).kill();
            long killedAt = System.nanoTime();
            readUntil(client, id, rows, total);
            boolean same = rows.equals(reference);
            check(same, "failover: the rows read across the kill equal the single-replica run's");
            report.append("- Failover: paged ").append(before).append(" rows through replica ").append(serving + 1)
                    .append(", killed it (SIGKILL), read the other ").append(rows.size() - before)
                    .append(" by the same id through HAProxy after ").append(client.reconnects)
                    .append(" reconnect(s) in ").append(Duration.ofNanos(System.nanoTime() - killedAt).toMillis())
                    .append(" ms: ")
                    .append(rows.size()).append(" rows, checksum ").append(checksum(rows))
                    .append(same ? ", equal to the reference" : ", **not** equal to the reference").append("\n");
            cluster.restart(serving);
        }
    }

    private void handles(Cluster cluster, List<String> reference) throws Exception {
        String id;
        String exportUrl;
        try (ScaleClient ana = cluster.direct(0, "ana")) {
            JsonNode first = ana.call(question(), Duration.ofSeconds(60));
            check(first != null && first.path("type").asText().equals("results"), "handles: run " + first);
            id = first.path("query_id").asText();
            check(id.length() <= 64 && id.matches("[A-Za-z0-9._~-]+"), "an id is at most 64 URL-safe characters");
            JsonNode export = ana.call(ScaleClient.JSON.createObjectNode().put("action", "export")
                    .put("query_id", id).put("format", "csv"), Duration.ofSeconds(30));
            exportUrl = export == null ? null : export.path("url").asText(null);
            check(exportUrl != null, "handles: an export link " + export);
        }
        String owner = "principal:ana";
        SignedIds.Opened opened = SignedIds.of(List.of(newKey)).open(SignedIds.Kind.QUERY, owner, id, Instant.now());
        check(opened != null, "the id opens with the shared key");
        Instant later = Instant.now().plus(Duration.ofHours(1));
        String tampered = id.substring(0, 20) + (id.charAt(20) == 'A' ? 'B' : 'A') + id.substring(21);
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("tampered with", tampered);
        refused.put("expired", SignedIds.of(List.of(newKey)).issue(SignedIds.Kind.QUERY, owner, opened.ref(),
                Instant.now().minusSeconds(1)));
        refused.put("signed with a retired key", SignedIds.of(List.of(retiredKey)).issue(SignedIds.Kind.QUERY, owner,
                opened.ref(), later));
        String byOldKey = SignedIds.of(List.of(oldKey)).issue(SignedIds.Kind.QUERY, owner, opened.ref(), later);
        try (ScaleClient ana = cluster.direct(1, "ana"); ScaleClient bob = cluster.direct(1, "bob")) {
            JsonNode foreign = bob.call(fetch(id, 0, pageSize), Duration.ofSeconds(30));
            boolean bobRefused = foreign != null && foreign.path("code").asText().equals("QUERY_NOT_FOUND");
            check(bobRefused, "another principal's id on another replica: " + foreign);
            StringBuilder line = new StringBuilder("- Ids: ana's id from replica 1 read on replica 2 by bob: ")
                    .append(foreign == null ? "no reply" : foreign.path("code").asText());
            for (Map.Entry<String, String> entry : refused.entrySet()) {
                JsonNode reply = ana.call(fetch(entry.getValue(), 0, pageSize), Duration.ofSeconds(30));
                boolean notFound = reply != null && reply.path("code").asText().equals("QUERY_NOT_FOUND");
                check(notFound, "an id " + entry.getKey() + ": " + reply);
                line.append("; ").append(entry.getKey()).append(": ")
                        .append(reply == null ? "no reply" : reply.path("code").asText(reply.path("type").asText()));
            }
            JsonNode own = ana.call(fetch(id, pageSize, pageSize), Duration.ofSeconds(30));
            boolean served = own != null && rows(own).equals(reference.subList(pageSize, 2 * pageSize));
            check(served, "ana's id on replica 2: " + own);
            JsonNode old = ana.call(fetch(byOldKey, 0, pageSize), Duration.ofSeconds(30));
            boolean oldServed = old != null && rows(old).equals(reference.subList(0, pageSize));
            check(oldServed, "an id signed with the previous, listed key: " + old);
            line.append("; ana's own id on replica 2: ").append(served ? "served" : "NOT served")
                    .append("; signed with the previous, still listed key: ")
                    .append(oldServed ? "served" : "NOT served");
            HttpResponse<Stream<String>> download = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + cluster.port(2) + exportUrl)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            long lines = download.statusCode() == 200 ? download.body().count() : -1;
            check(lines == reference.size() + 1, "the export link of replica 1 downloaded from replica 3: "
                                                 + download.statusCode() + ", " + lines + " lines");
            line.append("; an export link of replica 1 downloaded from replica 3: HTTP ")
                    .append(download.statusCode()).append(", ").append(lines - 1).append(" rows");
            HttpResponse<Stream<String>> balanced = http.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + cluster.balancerPort + exportUrl)).build(),
                    HttpResponse.BodyHandlers.ofLines());
            long balancedLines = balanced.statusCode() == 200 ? balanced.body().count() : -1;
            check(balancedLines == reference.size() + 1, "the export link downloaded through HAProxy: "
                                                         + balanced.statusCode() + ", " + balancedLines + " lines");
            String token = exportUrl.substring(exportUrl.lastIndexOf('/') + 1);
            Path log = cluster.home.resolve("haproxy.log");
            // the download's log line, its path written as /exports/-, comes once the response has ended
            for (int wait = 0; wait < 30 && !(Files.isRegularFile(log)
                                               && Files.readString(log).contains("GET /exports/- ")); wait++) {
                Thread.sleep(100);
            }
            boolean logged = !Files.readString(log).contains("GET /exports/- ")
                             || Files.readString(log).contains(token);
            check(!logged, "HAProxy's log has the download's line, without the export link's token");
            line.append("; through HAProxy: HTTP ").append(balanced.statusCode()).append(", and its log holds ")
                    .append(logged ? "**the token**" : "no token").append("\n");
            report.append(line);
        }
    }

    /**
     * A query running on replica 1 when it is killed (SIGKILL) or stopped (SIGTERM: on the embedded warehouse it is
     * cancelled after the grace, on Snowflake it is left running there), asked for through HAProxy afterwards.
     */
    private void runningWhenStopped(Cluster cluster, List<String> reference, boolean kill) throws Exception {
        String how = kill ? "killed (SIGKILL)" : "stopped (SIGTERM)";
        boolean embedded = cluster.kind.equals("embedded");
        String[] running = {null};
        CountDownLatch started = new CountDownLatch(1);
        ObjectNode slow = embedded
                ? ScaleClient.JSON.createObjectNode().put("action", "run_view").put("view_name", "slow_vw")
                : question().put("fresh", true);
        if (!embedded) {
            cluster.snowflake.holdRunning = true;
        }
        ScaleClient starter = cluster.direct(0, "ana");
        // its connection dies with the replica: it does not ask again
        starter.retries = false;
        Thread asking = new Thread(() -> {
            try {
                starter.call(slow, Duration.ofSeconds(30), reply -> {
                    running[0] = reply.path("query_id").asText();
                    started.countDown();
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        asking.setDaemon(true);
        asking.start();
        check(started.await(30, TimeUnit.SECONDS), "a query started on replica 1");
        Thread.sleep(300);
        if (kill) {
            cluster.replica(0).kill();
        } else {
            // drains, waits out the grace, then cancels (embedded) or leaves the query to Snowflake
            cluster.replica(0).close();
        }
        long killed = System.nanoTime();
        starter.close();
        if (!embedded) {
            cluster.snowflake.holdRunning = false;
        }
        try (ScaleClient ana = cluster.balanced("ana")) {
            if (embedded) {
                JsonNode reply = ana.call(fetch(running[0], 0, pageSize), Duration.ofSeconds(30));
                long ms = Duration.ofNanos(System.nanoTime() - killed).toMillis();
                boolean failed = reply != null && reply.path("code").asText().equals("QUERY_FAILED")
                                 && reply.path("message").asText().contains("run the view again");
                check(failed, "a query whose replica died: " + reply);
                check(ms < 5_000, "the failure is told promptly, not after a timeout: " + ms + " ms");
                report.append("- A query running on replica 1 when it was ").append(how)
                        .append(", asked for on another replica: ")
                        .append(reply == null ? "no reply" : reply.path("code").asText() + " \""
                                                             + reply.path("message").asText() + "\"")
                        .append(", ").append(ms).append(" ms after it ended\n");
            } else {
                String state = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!state.equals("SUCCESS") && System.nanoTime() < deadline) {
                    JsonNode status = ana.call(ScaleClient.JSON.createObjectNode().put("action", "query_status")
                            .put("query_id", running[0]), Duration.ofSeconds(30));
                    state = status == null ? "" : status.path("status").asText(status.path("code").asText());
                    if (state.equals("FAILED") || state.equals("QUERY_NOT_FOUND") || state.equals("CANCELLED")) {
                        break;
                    }
                    Thread.sleep(100);
                }
                long ms = Duration.ofNanos(System.nanoTime() - killed).toMillis();
                check(state.equals("SUCCESS"), "a Snowflake query whose replica died finishes: " + state);
                JsonNode first = ana.call(fetch(running[0], 0, pageSize), Duration.ofSeconds(30));
                List<String> rows = first == null ? List.of() : readAll(ana, first);
                boolean same = rows.equals(reference);
                check(same, "its rows, read on another replica, equal the reference");
                report.append("- A query running in Snowflake when replica 1 was ").append(how).append(": ")
                        .append(state).append(" through another replica ").append(ms)
                        .append(" ms after the replica ended; ")
                        .append(rows.size()).append(" rows read, checksum ").append(checksum(rows))
                        .append(same ? ", equal to the reference" : ", **not** equal").append("\n");
            }
        }
        cluster.restart(0);
    }

    private void rollingRestart(Cluster cluster, List<String> reference) throws Exception {
        AtomicBoolean restarting = new AtomicBoolean(true);
        AtomicLong asked = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong resent = new AtomicLong();
        AtomicLong reconnects = new AtomicLong();
        Map<String, String> problems = new ConcurrentHashMap<>();
        CountDownLatch ready = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        long pages = (reference.size() + pageSize - 1) / pageSize;
        for (int c = 0; c < clients; c++) {
            String principal = "c" + c;
            int start = c;
            Thread thread = new Thread(() -> {
                try (ScaleClient client = cluster.balanced(principal)) {
                    JsonNode first = client.call(question(), Duration.ofSeconds(120));
                    ready.countDown();
                    if (first == null || !first.path("type").asText().equals("results")) {
                        lost.incrementAndGet();
                        problems.putIfAbsent(principal, "run_view: " + first);
                        return;
                    }
                    String id = first.path("query_id").asText();
                    long page = start % pages;
                    long done = 0;
                    while (restarting.get() || done < pages) {
                        long offset = page * pageSize;
                        asked.incrementAndGet();
                        JsonNode reply = client.call(fetch(id, offset, pageSize), Duration.ofSeconds(90));
                        if (reply == null) {
                            lost.incrementAndGet();
                            problems.putIfAbsent(principal, "no reply at offset " + offset);
                        } else {
                            answered.incrementAndGet();
                            List<String> expected = reference.subList((int) offset,
                                    (int) Math.min(reference.size(), offset + pageSize));
                            if (!reply.path("type").asText().equals("results") || !rows(reply).equals(expected)) {
                                wrong.incrementAndGet();
                                problems.putIfAbsent(principal, "at offset " + offset + ": "
                                        + reply.path("type").asText() + " " + reply.path("code").asText());
                            }
                        }
                        page = (page + 1) % pages;
                        done++;
                        Thread.sleep(thinkTime.toMillis());
                    }
                    resent.addAndGet(client.resent);
                    reconnects.addAndGet(client.reconnects);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ready.countDown();
                }
            }, "scale-client-" + c);
            threads.add(thread);
            thread.start();
        }
        check(ready.await(180, TimeUnit.SECONDS), "every client has its query id");
        long began = System.nanoTime();
        Thread.sleep(1000);
        for (int r = 0; r < 3; r++) {
            cluster.replica(r).close();
            cluster.restart(r);
        }
        long restartMs = Duration.ofNanos(System.nanoTime() - began).toMillis();
        restarting.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(180));
        }
        check(lost.get() == 0, "rolling restart: no reply lost (" + lost.get() + ")");
        check(wrong.get() == 0, "rolling restart: no wrong page (" + wrong.get() + ")");
        check(asked.get() == answered.get(), "rolling restart: every client got every page it asked for");
        problems.values().stream().limit(5).forEach(problem -> fail("rolling restart: " + problem));
        report.append("- Rolling restart of the three replicas (SIGTERM, start, ready; one at a time, ")
                .append(restartMs / 1000).append(" s) while ").append(clients).append(" clients paged: ")
                .append(asked.get()).append(" pages asked, ").append(answered.get()).append(" answered, ")
                .append(lost.get()).append(" lost, ").append(wrong.get()).append(" wrong; ")
                .append(reconnects.get()).append(" reconnects, ").append(resent.get())
                .append(" requests sent again after their connection closed under them\n");
    }

    private void throughput(Cluster cluster) throws Exception {
        StringBuilder line = new StringBuilder("- Pages a second through HAProxy, ").append(throughputClients)
                .append(" clients paging for ").append(throughputTime.toSeconds())
                .append(" s, after each replica was warmed up for ").append(WARM_UP.toSeconds()).append(" s:");
        // a replica that has just started (all three have, in the rolling restart) runs interpreted code until the
        // JIT has compiled its hot paths: each is warmed up directly first, so that no replica count is measured cold
        for (int i = 0; i < 3; i++) {
            int replica = i;
            pagesPerSecond(principal -> cluster.direct(replica, principal), Duration.ZERO, WARM_UP);
        }
        for (int replicas = 3; replicas >= 1; replicas--) {
            if (replicas < 3) {
                cluster.replica(replicas).close();
                cluster.awaitBalancerSees(replicas);
            }
            double rate = pagesPerSecond(cluster);
            line.append(String.format(Locale.ROOT, " %d replica%s %,.0f;", replicas, replicas == 1 ? "" : "s", rate));
        }
        report.append(line.substring(0, line.length() - 1)).append(" (an indication only: every replica, HAProxy "
                                                                   + "and the clients share this machine's cores)\n");
    }

    private double pagesPerSecond(Cluster cluster) throws Exception {
        return pagesPerSecond(principal -> cluster.balanced(principal), Duration.ofSeconds(3), throughputTime);
    }

    /**
     * Pages a second that {@code throughputClients} clients, each paging as fast as its replies come, get from the
     * clients {@code connect} makes, measured for {@code measured} after {@code warmUp}.
     */
    private double pagesPerSecond(java.util.function.Function<String, ScaleClient> connect, Duration warmUp,
                                  Duration measured) throws Exception {
        AtomicLong pages = new AtomicLong();
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch ready = new CountDownLatch(throughputClients);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < throughputClients; c++) {
            String principal = "c" + c;
            Thread thread = new Thread(() -> {
                try (ScaleClient client = connect.apply(principal)) {
                    JsonNode first = client.call(question(), Duration.ofSeconds(60));
                    ready.countDown();
                    String id = first.path("query_id").asText();
                    long total = first.path("total_rows").asLong();
                    long offset = 0;
                    while (running.get()) {
                        JsonNode page = client.call(fetch(id, offset, 100), Duration.ofSeconds(30));
                        if (page != null && page.path("type").asText().equals("results") && measuring.get()) {
                            pages.incrementAndGet();
                        }
                        offset = (offset + 100) % total;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    ready.countDown();
                }
            });
            threads.add(thread);
            thread.start();
        }
        ready.await(120, TimeUnit.SECONDS);
        Thread.sleep(warmUp.toMillis());
        measuring.set(true);
        long began = System.nanoTime();
        Thread.sleep(measured.toMillis());
        measuring.set(false);
        double seconds = (System.nanoTime() - began) / 1e9;
        running.set(false);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        return pages.get() / seconds;
    }

    // ---- the cluster --------------------------------------------------------------------------------------

    /** Three replicas of one warehouse kind and HAProxy in front of them. */
    private final class Cluster implements AutoCloseable {
        final String kind;
        final Path home;
        final int[] ports = new int[3];
        final ServerProcess[] replicas = new ServerProcess[3];
        final int balancerPort;
        Process haproxy;
        FakeSnowflake snowflake;
        Map<String, String> settings;

        Cluster(String kind) throws IOException {
            this.kind = kind;
            this.home = dir.resolve(kind);
            for (int i = 0; i < 3; i++) {
                ports[i] = ServerProcess.freePort();
            }
            balancerPort = ServerProcess.freePort();
        }

        void start() throws Exception {
            Files.createDirectories(home);
            settings = new LinkedHashMap<>();
            settings.put("API_AUTH_MODE", "token");
            StringBuilder list = new StringBuilder();
            tokens.forEach((name, token) -> list.append(list.length() == 0 ? "" : ",").append(name).append(':')
                    .append(token));
            settings.put("API_AUTH_TOKENS", list.toString());
            settings.put("API_HANDLES_KEYS", newKey + "," + oldKey);
            settings.put("API_SHUTDOWN_DRAIN_DELAY", "PT3S");
            settings.put("API_SHUTDOWN_GRACE", "PT10S");
            settings.put("WAREHOUSE_EMBEDDED_SAMPLE_TRIPS", Integer.toString(trips));
            settings.put("RESULTS_MEMORY_LIMIT", "512MB");
            String views = new String(ScaleTestCommand.class.getResourceAsStream("/sql/test-views.sql")
                    .readAllBytes(), StandardCharsets.UTF_8);
            if (kind.equals("embedded")) {
                settings.put("RESULTS_SHARED_DIR", home.resolve("shared").toString());
                for (int i = 0; i < 3; i++) {
                    // each replica holds its own copy of the warehouse: one DuckDB file has one writer
                    Path data = home.resolve("replica" + (i + 1)).resolve("data");
                    Files.createDirectories(data);
                    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"
                                                                             + data.resolve("sample.duckdb"));
                         Statement statement = connection.createStatement()) {
                        statement.execute(views);
                    }
                }
            } else {
                Path sample = home.resolve("snowflake.duckdb");
                try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + sample);
                     Statement statement = connection.createStatement()) {
                    statement.execute(views);
                }
                try (HikariDataSource source = new HikariDataSource()) {
                    source.setJdbcUrl("jdbc:duckdb:" + sample);
                    source.setMaximumPoolSize(1);
                    new SampleDataset(source, trips).ensure();
                }
                KeyPair keys = TestKeys.rsa();
                snowflake = new FakeSnowflake("testacct", "api_user", keys.getPublic(), sample);
                Path key = home.resolve("rsa_key.p8");
                Files.writeString(key, TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
                Path passphrase = home.resolve("rsa_key.pass");
                Files.writeString(passphrase, TestKeys.PASSPHRASE + "\n");
                settings.put("WAREHOUSE_TYPE", "snowflake");
                settings.put("WAREHOUSE_SNOWFLAKE_URL", snowflake.jdbcUrl());
                settings.put("WAREHOUSE_SNOWFLAKE_ACCOUNT", "testacct");
                settings.put("WAREHOUSE_SNOWFLAKE_USER", "api_user");
                settings.put("WAREHOUSE_SNOWFLAKE_DATABASE", "CITIBIKE");
                settings.put("WAREHOUSE_SNOWFLAKE_SCHEMA", "PUBLIC");
                settings.put("WAREHOUSE_SNOWFLAKE_WAREHOUSE", "API_WH");
                settings.put("WAREHOUSE_SNOWFLAKE_PRIVATE_KEY_FILE", key.toString());
                settings.put("WAREHOUSE_SNOWFLAKE_PRIVATE_KEY_PASSPHRASE_FILE", passphrase.toString());
            }
            for (int i = 0; i < 3; i++) {
                restart(i);
            }
            ProcessBuilder balancer = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f",
                    Path.of("deploy", "haproxy", "haproxy.cfg").toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("haproxy.log").toFile()));
            balancer.environment().put("API_LISTEN", "127.0.0.1:" + balancerPort);
            balancer.environment().put("API_TLS_CERT", certificate.toString());
            for (int i = 0; i < 3; i++) {
                balancer.environment().put("API_REPLICA_" + (i + 1), "127.0.0.1:" + ports[i]);
            }
            haproxy = balancer.start();
            awaitBalancerSees(3);
        }

        /** Starts (or starts again) replica {@code i} on its port, and waits until it is ready. */
        void restart(int i) throws Exception {
            Path home = this.home.resolve("replica" + (i + 1));
            replicas[i] = ServerProcess.start(home, "replica", settings, heap, Duration.ofSeconds(120), ports[i],
                    false);
            if (haproxy != null) {
                // HAProxy takes a replica back after two good health checks a second apart
                Thread.sleep(2500);
            }
        }

        ServerProcess replica(int i) {
            return replicas[i];
        }

        int port(int i) {
            return ports[i];
        }

        /** Waits until HAProxy answers the readiness path over TLS, with the expected replicas up behind it. */
        void awaitBalancerSees(int replicas) throws InterruptedException {
            // two failed health checks take a stopped replica out; two good ones bring one in
            Thread.sleep(replicas == 3 ? 2500 : 3000);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                            + balancerPort + "/observe/health/ready")).build(), HttpResponse.BodyHandlers.discarding());
                    if (ready.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("HAProxy did not answer over TLS within 30 s; see " + home);
        }

        /** The replica that holds the one open connection now. */
        int serving() throws Exception {
            for (int i = 0; i < 3; i++) {
                if (replicas[i].isAlive() && replicas[i].metric("warehouse_api_connections_open", "", tokens.get("ana")) >= 1) {
                    return i;
                }
            }
            throw new IllegalStateException("No replica holds a connection");
        }

        ScaleClient balanced(String principal) {
            return new ScaleClient(http, URI.create("wss://127.0.0.1:" + balancerPort + "/ws"), tokens.get(principal));
        }

        ScaleClient direct(int i, String principal) {
            return new ScaleClient(http, URI.create("ws://127.0.0.1:" + ports[i] + "/ws"), tokens.get(principal));
        }

        @Override
        public void close() throws Exception {
            for (ServerProcess replica : replicas) {
                if (replica != null) {
                    replica.close();
                }
            }
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
            if (snowflake != null) {
                snowflake.close();
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private void check(boolean condition, String what) {
        if (!condition) {
            fail(what);
        }
    }

    private void fail(String what) {
        System.out.println("FAILED: " + what);
        failures.add(what);
    }

    private static String checksum(List<String> rows) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String row : rows) {
            sha.update(row.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }

    private static String key() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** A self-signed certificate for 127.0.0.1 and localhost, and its key, in one PEM file as HAProxy takes it. */
    private Path throwawayCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(1))), name,
                pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        Path file = dir.resolve("throwaway-cert.pem");
        String pem = "-----BEGIN CERTIFICATE-----\n"
                     + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                     + "\n-----END CERTIFICATE-----\n" + TestKeys.pkcs8(pair.getPrivate());
        Files.writeString(file, pem);
        return file;
    }

    private static SSLContext trusting(Path pem) throws Exception {
        X509Certificate cert;
        try (var in = Files.newInputStream(pem)) {
            cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("throwaway", cert);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static String haproxyVersion() throws IOException, InterruptedException {
        Process version = new ProcessBuilder("/usr/sbin/haproxy", "-v").redirectErrorStream(true).start();
        String first = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
                .orElse("HAProxy");
        version.waitFor();
        return first.replaceAll(" - https?://\\S+", "").strip();
    }

    private static void clean(Path path) throws IOException {
        if (Files.exists(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }
}
