package io.warehouseapi.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket connections, by the connection key camel-vertx-websocket gives each one. Replies are written to
 * the connection that asked and to no other; a reply for a connection that has gone is dropped. (The component's own
 * producer, given the key of a connection that has gone while no other is open, would open a client connection to the
 * server instead, which is why replies go through here.)
 * <p>
 * Every write to a socket (reply, ping, close) goes through the socket's {@link Outbox}, which writes each whole and in
 * order on the connection's event loop: replies made on different threads never interleave their frames.
 * <p>
 * Two guards keep a connection from holding the server's memory or threads: a reader too slow to take its replies
 * (more than {@code api.max-outbound-bytes} written and not yet taken by the network) is disconnected with 1008
 * instead of growing a buffer, and {@link #pingAll()} closes with 1001 a connection that did not answer the previous
 * ping, as a peer that vanished without closing would not.
 */
public class Connections {

    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    private static final Buffer PING = Buffer.buffer("ping");

    private final Map<String, ServerWebSocket> open = new ConcurrentHashMap<>();
    private final Map<ServerWebSocket, Outbox> outboxes = new ConcurrentHashMap<>();
    private final Function<String, ServerWebSocket> peers;
    private final OriginPolicy origins;
    private final long maxOutboundBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong slowReaders = new AtomicLong();
    private final AtomicLong unanswered = new AtomicLong();
    private volatile boolean refusing;

    /**
     * @param peers the WebSocket component's own registry of sockets by connection key, filled during the upgrade:
     *              connection events and frames are handled on worker threads in no fixed order, so a connection's
     *              first request may be handled before its OPEN event
     */
    public Connections(Function<String, ServerWebSocket> peers, OriginPolicy origins, long maxOutboundBytes) {
        this.peers = peers;
        this.origins = origins;
        this.maxOutboundBytes = maxOutboundBytes;
    }

    private Outbox outbox(ServerWebSocket socket) {
        return outboxes.computeIfAbsent(socket, Outbox::new);
    }

    /** Whether a new socket may stay open; closes it with 1008 (policy violation) if its Origin or Host is not allowed. */
    private boolean accept(ServerWebSocket socket) {
        String refusal = origins.refusal(socket);
        if (refusal == null) {
            return true;
        }
        LOG.info("Refused a connection from {} (Origin {}, Host {}): {}", socket.remoteAddress(),
                socket.headers().get("Origin"), socket.headers().get("Host"), refusal);
        new Outbox(socket).close((short) 1008, refusal);
        return false;
    }

    public void opened(String connectionKey, ServerWebSocket socket) {
        if (refusing) {
            new Outbox(socket).close((short) 1001, "Server shutting down");
            return;
        }
        if (socket.isClosed()) {
            return; // its CLOSE event may already have been handled
        }
        if (!accept(socket)) {
            return;
        }
        open.put(connectionKey, socket);
        outbox(socket);
        LOG.debug("Connection {} opened from {}", connectionKey, socket.remoteAddress());
    }

    /** Whether a connection is open now: false once it closed, whether or not its CLOSE event was handled yet. */
    public boolean isOpen(String connectionKey) {
        ServerWebSocket socket = connectionKey == null ? null : open.get(connectionKey);
        socket = socket != null || connectionKey == null ? socket : peers.apply(connectionKey);
        return socket != null && !socket.isClosed();
    }

    public void closed(String connectionKey) {
        ServerWebSocket socket = open.remove(connectionKey);
        if (socket != null) {
            outboxes.remove(socket);
        }
        LOG.debug("Connection {} closed", connectionKey);
    }

    private ServerWebSocket socket(String connectionKey) {
        if (connectionKey == null) {
            return null;
        }
        ServerWebSocket socket = open.get(connectionKey);
        if (socket == null) {
            socket = peers.apply(connectionKey);
            if (socket != null && !socket.isClosed() && !refusing) {
                if (!accept(socket)) {
                    return null;
                }
                open.putIfAbsent(connectionKey, socket);
                outbox(socket);
            }
        }
        return socket;
    }

    /**
     * Hands one reply to a connection's {@link Outbox}, which writes it whole after the replies handed over before
     * it; returns false, sending nothing, if the connection has gone, or if its reader is too slow, in which case it
     * is disconnected.
     */
    public boolean send(String connectionKey, String text) {
        ServerWebSocket socket = socket(connectionKey);
        if (socket == null || socket.isClosed() || text == null) {
            LOG.debug("Reply for connection {} dropped: the connection has gone", connectionKey);
            return false;
        }
        Outbox outbox = outbox(socket);
        if (!outbox.offer(text, maxOutboundBytes)) {
            slowReaders.incrementAndGet();
            LOG.warn("Connection {} from {} reads too slowly ({} bytes waiting to be sent); disconnecting it",
                    connectionKey, socket.remoteAddress(), outbox.pending());
            outbox.close((short) 1008, "Reading too slowly");
            return false;
        }
        sent.incrementAndGet();
        return true;
    }

    /**
     * Closes (1001) every connection that has not answered the previous ping, then pings the others. Called
     * periodically ({@code api.ping-interval}); a connection must so answer within one interval.
     */
    public int pingAll() {
        int closed = 0;
        for (Map.Entry<String, ServerWebSocket> entry : open.entrySet()) {
            ServerWebSocket socket = entry.getValue();
            Outbox outbox = outboxes.get(socket);
            if (socket.isClosed() || outbox == null) {
                continue;
            }
            if (!outbox.ping(PING)) {
                LOG.info("Connection {} from {} did not answer a ping; closing it", entry.getKey(),
                        socket.remoteAddress());
                unanswered.incrementAndGet();
                outbox.close((short) 1001, "No answer to ping");
                closed++;
            }
        }
        return closed;
    }

    /** A header of a connection's upgrade request, such as Authorization; {@code null} if absent. */
    public String header(String connectionKey, String name) {
        ServerWebSocket socket = socket(connectionKey);
        return socket == null ? null : socket.headers().get(name);
    }

    /** The peer address of a connection, for logs. */
    public String remoteAddress(String connectionKey) {
        ServerWebSocket socket = socket(connectionKey);
        return socket == null || socket.remoteAddress() == null ? "?" : socket.remoteAddress().toString();
    }

    /** The peer's host address of a connection (without its port), by which sign-in failures are counted. */
    public String remoteHost(String connectionKey) {
        ServerWebSocket socket = socket(connectionKey);
        return socket == null || socket.remoteAddress() == null ? "?" : socket.remoteAddress().hostAddress();
    }

    /** How many connections were disconnected because they read too slowly. */
    public long slowReaderCount() {
        return slowReaders.get();
    }

    /** How many connections were closed because they did not answer a ping. */
    public long unansweredPingCount() {
        return unanswered.get();
    }

    /** Closes a connection with a WebSocket close code, for frames that break the transport rules. */
    public void close(String connectionKey, short code, String reason) {
        ServerWebSocket socket = socket(connectionKey);
        if (socket != null && !socket.isClosed()) {
            outbox(socket).close(code, reason);
        }
    }

    /** From now on, closes new connections at once with 1001: the server is going away. */
    public void refuseNew() {
        refusing = true;
    }

    /** Whether new connections are refused, as while shutting down. */
    public boolean isRefusing() {
        return refusing;
    }

    /** Closes every open connection with a close code, as at shutdown. */
    public int closeAll(short code, String reason) {
        int closed = 0;
        for (ServerWebSocket socket : open.values()) {
            if (!socket.isClosed()) {
                outbox(socket).close(code, reason);
                closed++;
            }
        }
        return closed;
    }

    public int openCount() {
        return open.size();
    }

    public long sentCount() {
        return sent.get();
    }
}
