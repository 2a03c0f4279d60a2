package io.warehouseapi.snowflake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The cloud storage behind the fake Snowflake: a result's rows beyond its first chunk are files here, gzip-compressed
 * JSON rows ({@code ["a","b"],["c","d"]}), fetched through pre-signed URLs that expire, with the result's key as
 * SSE-C headers (its {@code qrmk}), as the driver fetches them from S3. A URL past its life is answered 403, a fetch
 * without the right key 400.
 */
final class FakeResultStorage implements AutoCloseable {

    static final String SSE_C_ALGORITHM = "x-amz-server-side-encryption-customer-algorithm";
    static final String SSE_C_KEY = "x-amz-server-side-encryption-customer-key";
    static final String SSE_C_KEY_MD5 = "x-amz-server-side-encryption-customer-key-md5";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Chunk> chunks = new ConcurrentHashMap<>();
    /** How long a chunk's pre-signed URL works. */
    volatile Duration urlLifetime = Duration.ofHours(6);
    /** How long each chunk takes to come (a slow network or a large chunk). */
    volatile Duration fetchDelay = Duration.ZERO;
    final AtomicInteger fetched = new AtomicInteger();
    final AtomicInteger expiredFetches = new AtomicInteger();
    final AtomicInteger keyRefused = new AtomicInteger();

    FakeResultStorage() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/results/", this::fetch);
        server.setExecutor(threads);
        server.start();
    }

    private record Chunk(byte[] gzipped, String key, long expiresAtNanos) {
    }

    /**
     * Stores the rows beyond a result's first chunk as chunk files of {@code rowsPerChunk} rows, and describes them in
     * the result's answer as Snowflake does: {@code chunks} (URL, row count, sizes), {@code qrmk} and
     * {@code chunkHeaders}.
     */
    void describe(ObjectNode data, List<ArrayNode> rows, int rowsPerChunk) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String key = Base64.getEncoder().encodeToString(raw);
        ArrayNode described = data.putArray("chunks");
        for (int from = 0; from < rows.size(); from += rowsPerChunk) {
            List<ArrayNode> part = rows.subList(from, Math.min(rows.size(), from + rowsPerChunk));
            StringBuilder text = new StringBuilder();
            for (ArrayNode row : part) {
                text.append(text.length() == 0 ? "" : ",").append(row);
            }
            byte[] plain = text.toString().getBytes(StandardCharsets.UTF_8);
            byte[] gzipped = gzip(plain);
            String name = UUID.randomUUID().toString();
            chunks.put(name, new Chunk(gzipped, key, System.nanoTime() + urlLifetime.toNanos()));
            described.addObject()
                    .put("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/results/" + name
                                + "?X-Amz-Expires=" + urlLifetime.toSeconds() + "&X-Amz-Signature=" + name.hashCode())
                    .put("rowCount", part.size())
                    .put("uncompressedSize", plain.length)
                    .put("compressedSize", gzipped.length);
        }
        data.put("qrmk", key);
        data.putObject("chunkHeaders")
                .put(SSE_C_ALGORITHM, "AES256")
                .put(SSE_C_KEY, key)
                .put(SSE_C_KEY_MD5, md5(key));
    }

    private void fetch(HttpExchange exchange) throws IOException {
        try {
            String name = exchange.getRequestURI().getPath().substring("/results/".length());
            Chunk chunk = chunks.get(name);
            if (chunk == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (System.nanoTime() > chunk.expiresAtNanos()) {
                // S3: "Request has expired"
                expiredFetches.incrementAndGet();
                exchange.sendResponseHeaders(403, -1);
                return;
            }
            var headers = exchange.getRequestHeaders();
            if (!"AES256".equals(headers.getFirst(SSE_C_ALGORITHM)) || !chunk.key().equals(headers.getFirst(SSE_C_KEY))
                || !md5(chunk.key()).equals(headers.getFirst(SSE_C_KEY_MD5))) {
                keyRefused.incrementAndGet();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            fetched.incrementAndGet();
            Thread.sleep(fetchDelay.toMillis());
            exchange.sendResponseHeaders(200, chunk.gzipped().length);
            exchange.getResponseBody().write(chunk.gzipped());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String md5(String base64Key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5")
                    .digest(Base64.getDecoder().decode(base64Key)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
