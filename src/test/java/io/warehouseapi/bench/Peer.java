package io.warehouseapi.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One client connection of a load run, over the JDK's WebSocket client. Every request carries a {@code request_id};
 * its final reply ({@code results}, {@code error}, {@code cancelled}, {@code status}, {@code views}) completes the
 * future {@link #request} returned, and whether the {@code submitted} and {@code running} replies came before it is
 * recorded, so that a lost reply of any kind is counted.
 */
final class Peer implements WebSocket.Listener {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A final reply, with the client's clock when it arrived and the intermediate replies seen before it; its
     * {@code json} holds the reply's top-level scalar fields, and {@code rows} counts the objects of its
     * {@code results}. A first page sent before its result was whole ({@code "complete": false}) is final once its
     * {@code complete} message came: {@code json} then has that message's {@code total_rows}, and
     * {@code completeNanos} is when it came (for any other reply, when the reply came).
     */
    record Reply(JsonNode json, int rows, long sentNanos, long receivedNanos, long completeNanos, boolean submitted,
                 boolean running) {
        String type() {
            return json.path("type").asText();
        }

        /** From the request to this reply (to a first page, however complete its result was then). */
        long micros() {
            return (receivedNanos - sentNanos) / 1000;
        }

        /** From the request to the whole result stored. */
        long completeMicros() {
            return (completeNanos - sentNanos) / 1000;
        }
    }

    private static final class Pending {
        final CompletableFuture<Reply> reply = new CompletableFuture<>();
        final long sentNanos = System.nanoTime();
        volatile boolean submitted;
        volatile boolean running;
        /** A first page sent ahead of its count, until the {@code complete} message. */
        volatile Reply early;
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong unexpected;
    private final String name;
    private volatile WebSocket socket;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    private Peer(String name, AtomicLong unexpected) {
        this.name = name;
        this.unexpected = unexpected;
    }

    /** Opens a connection; frames that answer no request of this peer's are counted into {@code unexpected}. */
    static CompletableFuture<Peer> connect(HttpClient client, URI uri, String name, AtomicLong unexpected) {
        Peer peer = new Peer(name, unexpected);
        return client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30)).buildAsync(uri, peer)
                .thenApply(socket -> {
                    peer.socket = socket;
                    return peer;
                });
    }

    /** Sends a request (its {@code request_id} is set here) and returns its final reply. */
    CompletableFuture<Reply> request(ObjectNode request) {
        String requestId = name + "-" + sequence.incrementAndGet();
        request.put("request_id", requestId);
        Pending entry = new Pending();
        pending.put(requestId, entry);
        String text = request.toString();
        synchronized (this) {
            // the JDK's WebSocket takes one outstanding send at a time
            sending = sending.thenCompose(ignored -> socket.sendText(text, true))
                    .whenComplete((ignored, failure) -> {
                        if (failure != null) {
                            pending.remove(requestId);
                            entry.reply.completeExceptionally(failure);
                        }
                    })
                    .exceptionally(failure -> null);
        }
        return entry.reply;
    }

    static ObjectNode runView(String view) {
        return JSON.createObjectNode().put("action", "run_view").put("view_name", view);
    }

    /** A run_view that is never answered from an earlier result. */
    static ObjectNode runViewFresh(String view) {
        return runView(view).put("fresh", true);
    }

    static ObjectNode fetch(String queryId, long offset) {
        return JSON.createObjectNode().put("action", "fetch_results").put("query_id", queryId).put("offset", offset);
    }

    static ObjectNode export(String queryId, String format) {
        return JSON.createObjectNode().put("action", "export").put("query_id", queryId).put("format", format);
    }

    /** Requests sent whose final reply has not come. */
    int outstanding() {
        return pending.size();
    }

    void close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            long now = System.nanoTime();
            String frame = partial.toString();
            partial.setLength(0);
            dispatch(frame, now);
        }
        webSocket.request(1);
        return null;
    }

    private void dispatch(String frame, long now) {
        ObjectNode json = JSON.createObjectNode();
        int rows;
        try {
            rows = read(frame, json);
        } catch (Exception e) {
            unexpected.incrementAndGet();
            return;
        }
        String requestId = json.path("request_id").asText("");
        Pending entry = pending.get(requestId);
        if (entry == null) {
            unexpected.incrementAndGet();
            return;
        }
        switch (json.path("type").asText()) {
            case "submitted" -> entry.submitted = true;
            case "running" -> entry.running = true;
            case "progress" -> {
            }
            case "results" -> {
                Reply page = new Reply(json, rows, entry.sentNanos, now, now, entry.submitted, entry.running);
                if (json.path("complete").asText("true").equals("false")) {
                    entry.early = page;
                } else {
                    pending.remove(requestId);
                    entry.reply.complete(page);
                }
            }
            case "complete" -> {
                Reply early = entry.early;
                pending.remove(requestId);
                if (early == null) {
                    unexpected.incrementAndGet();
                    entry.reply.completeExceptionally(new IllegalStateException("complete before any results"));
                } else {
                    ((ObjectNode) early.json()).put("total_rows", json.path("total_rows").asLong())
                            .put("complete", "true");
                    entry.reply.complete(new Reply(early.json(), early.rows(), entry.sentNanos, early.receivedNanos(),
                            now, entry.submitted, entry.running));
                }
            }
            default -> {
                pending.remove(requestId);
                entry.reply.complete(new Reply(json, rows, entry.sentNanos, now, now, entry.submitted, entry.running));
            }
        }
    }

    /**
     * Reads a reply's top-level scalar fields into {@code json} and returns the number of objects in its
     * {@code results}, streaming past the rows without building them: the client's share of the CPU stays small
     * beside the server's.
     */
    private static int read(String frame, ObjectNode json) throws java.io.IOException {
        int rows = 0;
        try (JsonParser parser = JSON.getFactory().createParser(frame)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new java.io.IOException("not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_ARRAY && "results".equals(field)) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        parser.skipChildren();
                        rows++;
                    }
                } else if (value.isStructStart()) {
                    parser.skipChildren();
                } else if (value.isNumeric()) {
                    json.put(field, parser.getLongValue());
                } else if (value != JsonToken.VALUE_NULL) {
                    json.put(field, parser.getText());
                }
            }
        }
        return rows;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        failAll(new IllegalStateException("closed by the server: " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        failAll(error);
    }

    private void failAll(Throwable cause) {
        pending.values().forEach(entry -> entry.reply.completeExceptionally(cause));
        pending.clear();
    }
}
