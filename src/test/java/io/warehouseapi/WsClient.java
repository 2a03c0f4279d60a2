package io.warehouseapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real WebSocket client (the JDK's) that collects the server's text frames as JSON, for the tests, and checks every
 * one against the protocol's AsyncAPI document ({@link Contract}): a reply that drifts from the contract fails the
 * test that reads the next message, or closes the client.
 */
final class WsClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Set<String> uncheckedTypes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private volatile Throwable failure;
    private final WebSocket socket;

    private WsClient(URI uri, String origin) {
        this(uri, origin == null ? java.util.Map.of() : java.util.Map.of("Origin", origin));
    }

    private WsClient(URI uri, java.util.Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        this.socket = builder.buildAsync(uri, new Listener()).join();
    }

    /** A connection whose upgrade request carries the given headers, such as Authorization. */
    static WsClient connectWithHeaders(int port, java.util.Map<String, String> headers) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws"), headers);
    }

    static WsClient connect(int port) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws"), java.util.Map.of());
    }

    /** A connection as a browser page of the given origin opens it. */
    static WsClient connect(int port, String origin) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws"), origin);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame as text, waiting up to the timeout. */
    String nextText(Duration timeout) {
        try {
            String frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("No message from the server within " + timeout
                     + (failure == null ? "" : " (the connection failed: " + failure + ")"));
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode next() {
        JsonNode message = parse(nextText(TIMEOUT));
        assertMatchesContract();
        return message;
    }

    /** Every reply received so far matched the AsyncAPI document. */
    void assertMatchesContract() {
        assertThat(violations).as("replies that do not match client/asyncapi.yaml").isEmpty();
    }

    /** The next frame, which must be of the given type. */
    JsonNode next(String type) {
        JsonNode message = next();
        assertThat(message.path("type").asText()).as("type of %s", abbreviate(message)).isEqualTo(type);
        return message;
    }

    /** Waits for a frame of the given type, skipping progress replies. */
    JsonNode await(String type) {
        while (true) {
            JsonNode message = next();
            if (!"progress".equals(message.path("type").asText()) || "progress".equals(type)) {
                assertThat(message.path("type").asText()).as("type of %s", abbreviate(message)).isEqualTo(type);
                return message;
            }
        }
    }

    /**
     * The next {@code count} replies other than progress, by their request_id; {@code order} (if not null) gets
     * "request_id:type" of each as it came.
     */
    java.util.Map<String, JsonNode> repliesById(int count, List<String> order) {
        java.util.Map<String, JsonNode> replies = new java.util.HashMap<>();
        while (replies.size() < count) {
            JsonNode reply = next();
            if (!"progress".equals(reply.path("type").asText())) {
                replies.put(reply.path("request_id").asText(), reply);
                if (order != null) {
                    order.add(reply.path("request_id").asText() + ":" + reply.path("type").asText());
                }
            }
        }
        return replies;
    }

    /** Sends a request and returns the next reply. */
    JsonNode request(String text) {
        send(text);
        return next();
    }

    /** Sends run_view and returns the results reply, checking the submitted and running replies before it. */
    JsonNode runView(String view, String extraFields) {
        send("{\"action\":\"run_view\",\"view_name\":\"" + view + "\"" + extraFields + "}");
        next("submitted");
        JsonNode running = next("running");
        JsonNode results = await("results");
        assertThat(results.path("query_id").asText()).isEqualTo(running.path("query_id").asText());
        return results;
    }

    /** Whatever frames arrive within the given time. */
    List<JsonNode> drain(Duration quiet) {
        List<JsonNode> messages = new ArrayList<>();
        try {
            String frame;
            while ((frame = frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                messages.add(parse(frame));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return messages;
    }

    /** The close code the server sent, waiting up to the timeout. */
    int awaitClose() {
        return closeCode.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    boolean isClosedByServer() {
        return closeCode.isDone();
    }

    /** Drops the TCP connection without a closing handshake, as a crashed client would. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        assertMatchesContract();
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("The server sent a frame that is not JSON: " + text, e);
        }
    }

    static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** Leaves replies of the given type unchecked: an action a test adds to the routes is not in the contract. */
    WsClient outsideTheContract(String replyType) {
        uncheckedTypes.add(replyType);
        return this;
    }

    private void check(String frame) {
        try {
            JsonNode reply = JSON.readTree(frame);
            if (uncheckedTypes.contains(reply.path("type").asText())) {
                return;
            }
            Contract.get().violationsOfReply(reply).forEach(v -> violations.add(v + " in " + abbreviate(reply)));
        } catch (Exception e) {
            violations.add("not JSON: " + (frame.length() > 300 ? frame.substring(0, 300) : frame));
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                check(frame);
                frames.add(frame);
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            failure = error;
            closeCode.complete(-1);
        }
    }
}
