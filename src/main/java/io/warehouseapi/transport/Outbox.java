package io.warehouseapi.transport;

import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * One connection's writes, each whole and in the order they were handed over, whichever threads hand them over.
 * <p>
 * Why this is needed: Vert.x writes a text message longer than the frame size (64 KiB) as a text frame and
 * continuation frames, taking the connection's lock once per frame ({@code WebSocketImplBase.writePartialMessage}),
 * so two threads writing at once interleave their frames, and the peer must fail the connection ("invalid opcode").
 * <p>
 * How: every text message, ping and close is written while holding this outbox's lock. Why that is enough, and
 * cheap: a write from a thread other than the connection's event loop does not touch the network; Vert.x only queues
 * each frame as a task of the event loop ({@code ConnectionBase.writeToChannel}, and frames the loop writes itself
 * while such tasks wait are queued behind them), and the loop runs its tasks in order. Holding the lock while one
 * message's frames are queued so keeps them together in that queue; Vert.x's own frames (a pong, the answer to a
 * close) can still fall between them, and they are control frames, which RFC 6455 allows between fragments. The
 * lock is held while a message is encoded and queued (about a millisecond for the largest page), never while the
 * peer reads it: Netty sends the queued bytes as the peer takes them, and no thread waits for a slow peer.
 * <p>
 * The connection's own Vert.x context would serve as well (one task a message, which writes all its frames at
 * once), but camel-vertx-websocket hands out the socket wrapped by vertx-web, which does not expose its context.
 * <p>
 * The bytes handed over and not yet taken by the network are counted, so that the caller can refuse a reader too
 * slow to keep up ({@code api.max-outbound-bytes}) instead of growing the queue.
 */
final class Outbox {

    private final ServerWebSocket socket;
    private final AtomicLong pending = new AtomicLong();
    private volatile boolean pingOutstanding;

    Outbox(ServerWebSocket socket) {
        this.socket = socket;
        socket.pongHandler(pong -> pingOutstanding = false);
    }

    ServerWebSocket socket() {
        return socket;
    }

    /**
     * Queues a text message; returns false, queueing nothing, if more than {@code limit} bytes would then wait to
     * be sent.
     */
    boolean offer(String text, long limit) {
        long size = text.length(); // characters: the bytes of the mostly ASCII JSON text
        if (pending.addAndGet(size) > limit) {
            pending.addAndGet(-size);
            return false;
        }
        synchronized (this) {
            if (socket.isClosed()) {
                pending.addAndGet(-size);
            } else {
                socket.writeTextMessage(text).onComplete(done -> pending.addAndGet(-size));
            }
        }
        return true;
    }

    /** Bytes handed over and not yet taken by the network. */
    long pending() {
        return pending.get();
    }

    /** Sends a ping after whatever is queued; returns false if the previous ping was not answered. */
    boolean ping(Buffer data) {
        if (pingOutstanding) {
            return false;
        }
        pingOutstanding = true;
        synchronized (this) {
            if (!socket.isClosed()) {
                socket.writePing(data);
            }
        }
        return true;
    }

    /** Closes the connection with a close code, after whatever is queued. */
    void close(short code, String reason) {
        synchronized (this) {
            if (!socket.isClosed()) {
                socket.close(code, reason);
            }
        }
    }
}
