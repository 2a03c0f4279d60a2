package io.warehouseapi.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.warehouseapi.metrics.ApiMetrics;
import io.warehouseapi.query.Download;
import io.warehouseapi.query.QueryService;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves export links ({@code GET /exports/<token>}) on the application's HTTP server: streams a finished result,
 * as the {@code export} action's link names it, from the result store to the client. A bounded pool of threads
 * ({@code api.export.max-concurrent}) copies each download, in blocks, into the response, and waits whenever the
 * response's write queue is full, so a client that reads slowly slows its export down instead of filling memory;
 * one that stops reading for {@code api.export.stall-timeout} is cut off. A link is downloaded once at a time, and one
 * owner's links hold at most {@code api.export.max-concurrent-per-principal} of the threads ({@link DownloadSlots});
 * beyond that {@code 429}. CSV and NDJSON are gzipped when the client accepts it. An unknown, expired or malformed token is {@code 404} with an empty body, whichever it was.
 */
public class ExportDownloads extends RouterMount {

    private static final Logger LOG = LoggerFactory.getLogger(ExportDownloads.class);
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int BLOCK = 256 * 1024;

    private final QueryService queries;
    private final ExecutorService threads;
    private final Duration stallTimeout;
    private final ApiMetrics metrics;
    private final DownloadSlots slots;
    private final Tracer tracer;

    /**
     * @param threads  the download threads: as many as may stream at once, with no queue
     * @param perOwner how many of those one owner's links may hold at once
     * @param tracer   makes each download's span (OpenTelemetry's no-op tracer without tracing); a link's token is
     *                 never one of its attributes
     */
    public ExportDownloads(int serverPort, QueryService queries, ExecutorService threads, Duration stallTimeout,
                           ApiMetrics metrics, int perOwner, Tracer tracer) {
        super(serverPort, "export links are");
        this.queries = queries;
        this.threads = threads;
        this.stallTimeout = stallTimeout;
        this.metrics = metrics;
        this.slots = new DownloadSlots(perOwner);
        this.tracer = tracer;
    }

    @Override
    protected void mount(VertxPlatformHttpRouter router) {
        router.get("/exports/:token").handler(this::download);
    }

    /**
     * On the event loop: checks the token's form and hands the rest to a download thread. Opening a link may block
     * (one another replica issued is taken up here, which waits for its result to be copied), so it never runs on the
     * event loop; response headers and status are set on the response's context, in order with the body's blocks.
     */
    private void download(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Cache-Control", "no-store");
        String token = ctx.pathParam("token");
        if (token == null || !TOKEN.matcher(token).matches() || !queries.mayBeExport(token)) {
            response.setStatusCode(404).end();
            return;
        }
        String accepted = ctx.request().getHeader("Accept-Encoding");
        Context context = ctx.vertx().getOrCreateContext();
        ResponseStream out = new ResponseStream(response, context);
        response.closeHandler(closed -> out.abort());
        try {
            threads.execute(() -> openAndSend(token, accepted, out));
        } catch (RejectedExecutionException e) {
            response.putHeader("Retry-After", "5").putHeader("Content-Type", "text/plain; charset=utf-8")
                    .setStatusCode(503).end("Too many exports are being downloaded; try again shortly.");
        }
    }

    /** On a download thread: opens the link, and streams it if it is valid and its owner has a slot free. */
    private void openAndSend(String token, String accepted, ResponseStream out) {
        Download download;
        try {
            download = queries.openExport(token);
        } catch (RuntimeException e) {
            LOG.warn("Opening an export link failed: {}", e.toString());
            out.answer(500, null);
            return;
        }
        if (download == null) {
            out.answer(404, null);
            return;
        }
        Span span = tracer.spanBuilder("export download").setSpanKind(SpanKind.SERVER)
                .setAttribute("warehouse_api.query_id", download.queryId())
                .setAttribute("warehouse_api.format", download.format().wireName()).startSpan();
        String busy = slots.take(token, download.owner());
        if (busy != null) {
            span.setAttribute("http.response.status_code", 429L);
            span.end();
            close(download.stream());
            out.answer(429, busy);
            return;
        }
        try {
            boolean gzip = download.format().compressible() && accepted != null && accepted.contains("gzip");
            out.start(download, gzip);
            send(download, out, gzip);
        } finally {
            slots.give(token, download.owner());
            span.setAttribute("warehouse_api.bytes", out.sent);
            span.end();
        }
    }

    /** Copies one download into its response, on a download thread. */
    private void send(Download download, ResponseStream out, boolean gzip) {
        InputStream in = download.stream();
        try (in) {
            OutputStream target = gzip ? new FastGzip(out) : out;
            byte[] block = new byte[BLOCK];
            int n;
            while ((n = in.read(block)) >= 0) {
                target.write(block, 0, n);
            }
            target.close();
            metrics.exported(out.sent);
        } catch (IOException | RuntimeException e) {
            LOG.info("Export {} not completed ({} bytes sent): {}", download.fileName(), out.sent, e.getMessage());
            out.reset();
        }
    }

    /**
     * gzip at zlib's fastest level: a download is bound by this one thread's compression, and the fastest level
     * still takes CSV to about a sixth of its size (the benchmark: 306 MB to 52 MB).
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(java.util.zip.Deflater.BEST_SPEED);
        }
    }

    private static void close(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("Closing an export: {}", e.getMessage());
        }
    }

    /**
     * The response as a blocking stream for a download thread: each block is written on the response's context, and
     * the thread waits while the response's write queue is full (the client reads slower than the export is made).
     */
    private final class ResponseStream extends OutputStream {
        private final HttpServerResponse response;
        private final Context context;
        private volatile boolean aborted;
        private volatile CompletableFuture<Void> waiting;
        long sent;

        ResponseStream(HttpServerResponse response, Context context) {
            this.response = response;
            this.context = context;
        }

        /** Sets the download's headers, before its first block. */
        void start(Download download, boolean gzip) {
            context.runOnContext(v -> {
                if (response.closed() || response.headWritten()) {
                    return;
                }
                response.putHeader("Content-Type", download.format().contentType())
                        .putHeader("Content-Disposition", "attachment; filename=\"" + download.fileName() + "\"")
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .setChunked(true);
                if (gzip) {
                    response.putHeader("Content-Encoding", "gzip").putHeader("Vary", "Accept-Encoding");
                }
            });
        }

        /** Answers without a download: a status and an optional text body. */
        void answer(int status, String text) {
            context.runOnContext(v -> {
                if (response.closed() || response.ended()) {
                    return;
                }
                response.setStatusCode(status);
                if (text == null) {
                    response.end();
                } else {
                    response.putHeader("Retry-After", "5").putHeader("Content-Type", "text/plain; charset=utf-8")
                            .end(text);
                }
            });
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return;
            }
            Buffer chunk = Buffer.buffer(length).appendBytes(bytes, offset, length);
            CompletableFuture<Void> ready = new CompletableFuture<>();
            waiting = ready;
            context.runOnContext(v -> {
                if (aborted) {
                    ready.completeExceptionally(new IOException("the client went away"));
                    return;
                }
                response.write(chunk);
                if (response.writeQueueFull()) {
                    response.drainHandler(drained -> ready.complete(null));
                } else {
                    ready.complete(null);
                }
            });
            await(ready);
            sent += length;
        }

        private void await(CompletableFuture<Void> ready) throws IOException {
            try {
                ready.get(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IOException("the client read nothing for " + stallTimeout);
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }

        @Override
        public void close() throws IOException {
            CompletableFuture<Void> ended = new CompletableFuture<>();
            context.runOnContext(v -> {
                if (aborted) {
                    ended.completeExceptionally(new IOException("the client went away"));
                } else {
                    response.end().onComplete(done -> ended.complete(null));
                }
            });
            await(ended);
        }

        /** The client closed the connection: wakes the download thread, which stops. */
        void abort() {
            aborted = true;
            CompletableFuture<Void> ready = waiting;
            if (ready != null) {
                ready.completeExceptionally(new IOException("the client went away"));
            }
        }

        /** Ends a download that could not be completed so that the client sees it cut short, not ended. */
        void reset() {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) {
                    response.reset();
                }
            });
        }
    }
}
