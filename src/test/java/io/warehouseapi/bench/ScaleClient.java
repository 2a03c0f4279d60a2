package io.warehouseapi.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client of the scale test: one principal, one connection at a time, as a program or the browser client is. Every
 * request carries a {@code request_id}. When its connection goes (a replica stopping closes it with 1001, a killed one
 * just vanishes) it connects again, through the load balancer, and sends again the request whose reply it did not get;
 * a request that gets no reply before its deadline, over any number of connections, is lost.
 */
final class ScaleClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Duration ATTEMPT = Duration.ofSeconds(15);

    private final HttpClient http;
    private final URI uri;
    private final String token;
    private Connection connection;
    /** Requests sent again on a new connection because the one they were sent on closed before their reply. */
    long resent;
    /** Connections opened after the first. */
    long reconnects;
    /** Whether a request whose connection went is sent again on a new one. */
    boolean retries = true;

    ScaleClient(HttpClient http, URI uri, String token) {
        this.http = http;
        this.uri = uri;
        this.token = token;
    }

    /**
     * Sends a request and returns its final reply (not {@code submitted}, {@code running} or {@code progress}; a
     * first page sent ahead of its count is returned once {@code complete} brings the count, as one whole page),
     * reconnecting and sending it again as often as needed until {@code deadline}; null if none came by then.
     * {@code onRunning}, if given, gets the {@code running} reply of a {@code run_view}.
     */
    JsonNode call(ObjectNode request, Duration deadline, java.util.function.Consumer<JsonNode> onRunning)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        boolean first = true;
        while (System.nanoTime() < end) {
            Connection open = connected(end);
            if (open == null) {
                return null;
            }
            if (!first) {
                if (!retries) {
                    return null;
                }
                resent++;
            }
            first = false;
            String id = "r" + SEQUENCE.incrementAndGet();
            ObjectNode sent = request.deepCopy().put("request_id", id);
            Pending pending = new Pending(onRunning);
            open.pending.put(id, pending);
            if (open.closed.isDone()) {
                pending.reply.completeExceptionally(new java.io.IOException("connection closed"));
            }
            try {
                open.socket.sendText(JSON.writeValueAsString(sent), true).get(5, TimeUnit.SECONDS);
                // a reply that does not come on an open connection is asked for again on a new one
                long wait = Math.max(1, Math.min(end - System.nanoTime(), ATTEMPT.toNanos()));
                return pending.reply.get(wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | TimeoutException | java.io.IOException e) {
                // the connection went before the reply came: connect again and ask again
                open.pending.remove(id);
                open.closed.complete(null);
                open.socket.abort();
            }
        }
        return null;
    }

    JsonNode call(ObjectNode request, Duration deadline) throws InterruptedException {
        return call(request, deadline, null);
    }

    /**
     * Sends the requests at once on one connection, none waiting for another's reply, and returns their final
     * replies in the order of the requests; null in place of a reply that did not come by {@code deadline}, or whose
     * connection went first (these are not sent again).
     */
    java.util.List<JsonNode> pipeline(java.util.List<ObjectNode> requests, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        Connection open = connected(end);
        java.util.List<CompletableFuture<JsonNode>> replies = new java.util.ArrayList<>();
        for (ObjectNode request : requests) {
            String id = "r" + SEQUENCE.incrementAndGet();
            Pending pending = new Pending(null);
            replies.add(pending.reply);
            if (open == null) {
                continue;
            }
            open.pending.put(id, pending);
            try {
                open.socket.sendText(JSON.writeValueAsString(request.deepCopy().put("request_id", id)), true)
                        .get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | TimeoutException | java.io.IOException e) {
                pending.reply.completeExceptionally(e);
            }
            if (open.closed.isDone()) {
                pending.reply.completeExceptionally(new java.io.IOException("connection closed"));
            }
        }
        java.util.List<JsonNode> answers = new java.util.ArrayList<>();
        for (CompletableFuture<JsonNode> reply : replies) {
            try {
                answers.add(reply.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                answers.add(null);
            }
        }
        return answers;
    }

    private Connection connected(long end) throws InterruptedException {
        Connection current = connection;
        if (current != null && !current.closed.isDone()) {
            return current;
        }
        if (current != null) {
            reconnects++;
        }
        long backoff = 50;
        while (System.nanoTime() < end) {
            try {
                Connection opened = new Connection();
                opened.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .header("Authorization", "Bearer " + token)
                        .buildAsync(uri, opened).get(10, TimeUnit.SECONDS);
                connection = opened;
                return opened;
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                Thread.sleep(backoff);
                backoff = Math.min(1000, backoff * 2);
            }
        }
        return null;
    }

    @Override
    public void close() {
        Connection current = connection;
        if (current != null && !current.closed.isDone()) {
            current.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            current.socket.abort();
        }
    }

    private static final class Pending {
        final CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        final java.util.function.Consumer<JsonNode> onRunning;
        /** A first page sent before its result was whole ({@code "complete": false}), until its {@code complete}. */
        ObjectNode early;

        Pending(java.util.function.Consumer<JsonNode> onRunning) {
            this.onRunning = onRunning;
        }
    }

    /** One WebSocket connection and the requests waiting on it. */
    private static final class Connection implements WebSocket.Listener {
        volatile WebSocket socket;
        final Map<String, Pending> pending = new ConcurrentHashMap<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        Connection() {
            closed.thenRun(() -> pending.values().forEach(p -> p.reply.completeExceptionally(
                    new java.io.IOException("connection closed"))));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode reply = JSON.readTree(text);
                    String type = reply.path("type").asText();
                    Pending waiting = pending.get(reply.path("request_id").asText());
                    if (waiting != null) {
                        if (type.equals("results") && !reply.path("complete").asBoolean(true)) {
                            // the first rows, ahead of the count: the reply is whole once "complete" brings it
                            waiting.early = (ObjectNode) reply;
                        } else if (type.equals("complete") && waiting.early != null) {
                            pending.remove(reply.path("request_id").asText());
                            waiting.reply.complete(waiting.early.put("complete", true)
                                    .set("total_rows", reply.path("total_rows")));
                        } else if (type.equals("running") && waiting.onRunning != null) {
                            waiting.onRunning.accept(reply);
                        } else if (!type.equals("submitted") && !type.equals("running") && !type.equals("progress")) {
                            pending.remove(reply.path("request_id").asText());
                            waiting.reply.complete(reply);
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("Not JSON from the server: " + text, e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }
    }
}
