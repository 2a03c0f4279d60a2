package io.warehouseapi.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.vertx.core.http.ServerWebSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open WebSocket connections, by the connection key camel-vertx-websocket gives each one. Replies are written to
 * the connection that asked and to no other; a reply for a connection that has gone is dropped. (The component's own
 * producer, given the key of a connection that has gone while no other is open, would open a client connection to the
 * server instead, which is why replies go through here.)
 */
public class Connections {

    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

    private final Map<String, ServerWebSocket> open = new ConcurrentHashMap<>();
    private final Function<String, ServerWebSocket> peers;
    private final OriginPolicy origins;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean refusing;

    /**
     * @param peers the WebSocket component's own registry of sockets by connection key, filled during the upgrade:
     *              connection events and frames are handled on worker threads in no fixed order, so a connection's
     *              first request may be handled before its OPEN event
     */
    public Connections(Function<String, ServerWebSocket> peers, OriginPolicy origins) {
        this.peers = peers;
        this.origins = origins;
    }

    /** Whether a new socket may stay open; closes it with 1008 (policy violation) if its Origin is not allowed. */
    private boolean accept(ServerWebSocket socket) {
        if (origins.allows(socket)) {
            return true;
        }
        LOG.info("Refused a connection from origin {}", socket.headers().get("Origin"));
        if (!socket.isClosed()) {
            socket.close((short) 1008, "Origin not allowed");
        }
        return false;
    }

    public void opened(String connectionKey, ServerWebSocket socket) {
        if (refusing) {
            socket.close((short) 1001, "Server shutting down");
            return;
        }
        if (socket.isClosed()) {
            return; // its CLOSE event may already have been handled
        }
        if (!accept(socket)) {
            return;
        }
        open.put(connectionKey, socket);
        LOG.debug("Connection {} opened from {}", connectionKey, socket.remoteAddress());
    }

    public void closed(String connectionKey) {
        open.remove(connectionKey);
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
            }
        }
        return socket;
    }

    /** Writes one text frame to a connection; returns false, sending nothing, if it has gone. */
    public boolean send(String connectionKey, String text) {
        ServerWebSocket socket = socket(connectionKey);
        if (socket == null || socket.isClosed() || text == null) {
            LOG.debug("Reply for connection {} dropped: the connection has gone", connectionKey);
            return false;
        }
        socket.writeTextMessage(text);
        sent.incrementAndGet();
        return true;
    }

    /** Closes a connection with a WebSocket close code, for frames that break the transport rules. */
    public void close(String connectionKey, short code, String reason) {
        ServerWebSocket socket = socket(connectionKey);
        if (socket != null && !socket.isClosed()) {
            socket.close(code, reason);
        }
    }

    /** From now on, closes new connections at once with 1001: the server is going away. */
    public void refuseNew() {
        refusing = true;
    }

    /** Closes every open connection with a close code, as at shutdown. */
    public int closeAll(short code, String reason) {
        int closed = 0;
        for (ServerWebSocket socket : open.values()) {
            if (!socket.isClosed()) {
                socket.close(code, reason);
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
